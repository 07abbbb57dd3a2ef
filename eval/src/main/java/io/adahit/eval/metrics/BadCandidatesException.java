package io.adahit.eval.metrics;

/**
 * Thrown when none of an example's labels is among its candidates, so no rank exists. ParlAI raises
 * the same error for inline candidates unless {@code --ignore-bad-candidates} is set; here {@link
 * Report#Report(boolean) new Report(true)} skips and counts such examples instead.
 *
 * <pre>{@code
 * try {
 *   report.addRanking(id, ranked, labels);
 * } catch (BadCandidatesException e) {
 *   log.error("bad teacher data in {}", e.exampleId());
 * }
 * }</pre>
 */
public final class BadCandidatesException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String exampleId;

  public BadCandidatesException(String exampleId, String message) {
    super(message);
    this.exampleId = exampleId;
  }

  /** The example whose candidates lack its label. */
  public String exampleId() {
    return exampleId;
  }
}
