package io.adahit.agents.adapters;

import io.adahit.agents.errors.ClassifiedError;
import io.adahit.agents.errors.ErrorKind;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A skill was asked for by name and is not loaded. Unchecked: the caller (a request naming a skill)
 * made the mistake; the server maps it to NOT_FOUND at its edge.
 *
 * <pre>{@code
 * try { registry.get("bts"); }
 * catch (UnknownSkillException e) { e.known(); }   // [bst, convai2, ed, wow]
 * }</pre>
 */
public final class UnknownSkillException extends NoSuchElementException implements ClassifiedError {

  private final String skill;
  private final List<String> known;

  public UnknownSkillException(String skill, List<String> known) {
    super("unknown skill '" + skill + "'; known skills: " + known);
    this.skill = skill;
    this.known = List.copyOf(known);
  }

  public String skill() {
    return skill;
  }

  public List<String> known() {
    return known;
  }

  @Override
  public ErrorKind errorKind() {
    return ErrorKind.NOT_FOUND;
  }

  @Override
  public String errorTag() {
    return "unknown_skill";
  }
}
