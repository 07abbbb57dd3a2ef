package io.adahit.server.experiments;

/**
 * The variant of an experiment that serves a conversation, fixed when it opens.
 *
 * <pre>{@code
 * Assignment a = experiments.assign(conversationId, "convai2");   // null when no experiment runs on it
 * a.variant();   // "da16"
 * }</pre>
 */
public record Assignment(String experiment, String variant, String skill) {
  public Assignment {
    if (experiment == null || variant == null || skill == null) {
      throw new IllegalStateException("assignment: experiment, variant and skill are required");
    }
  }
}
