package io.adahit.agents.backbone;

/** Which end of a too-long text is kept when it is cut to the maximum length. */
public enum Truncation {
  /** Keep the beginning (Hugging Face's default): for candidate replies. */
  KEEP_START,
  /** Keep the end, as ParlAI truncates a dialogue context from the left: the latest turns stay. */
  KEEP_END
}
