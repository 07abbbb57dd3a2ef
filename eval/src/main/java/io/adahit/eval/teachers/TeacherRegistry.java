package io.adahit.eval.teachers;

import java.io.IOException;
import java.util.Collections;
import java.util.Set;
import java.util.TreeMap;

/**
 * Teachers by ParlAI task name ({@code -t}). Not a singleton: make one with {@link #builtIn()} (or
 * empty, and {@link #register} your own) and pass it to whoever needs it.
 *
 * <pre>{@code
 * TeacherRegistry registry = TeacherRegistry.builtIn();
 * Teacher bst = registry.create("blended_skill_talk", TeacherOptions.of(datapath, Datatype.TEST));
 * registry.create("convai3", opts);
 * // IllegalArgumentException: unknown task 'convai3'; known tasks: blended_skill_talk, convai2, ...
 * }</pre>
 */
public final class TeacherRegistry {

  private final TreeMap<String, TeacherFactory> factories = new TreeMap<>();

  /** An empty registry. */
  public TeacherRegistry() {}

  /**
   * A new registry with this project's teachers: {@code convai2}, {@code wizard_of_wikipedia},
   * {@code empathetic_dialogues}, {@code blended_skill_talk}, {@code fromfile} (also as {@code
   * fromfile:parlaiformat}) and {@code fromfile:fbformat}.
   */
  public static TeacherRegistry builtIn() {
    TeacherRegistry r = new TeacherRegistry();
    r.register(ConvAI2Teacher.TASK, ConvAI2Teacher::load);
    r.register(WizardOfWikipediaTeacher.TASK, WizardOfWikipediaTeacher::load);
    r.register(EmpatheticDialoguesTeacher.TASK, EmpatheticDialoguesTeacher::load);
    r.register(BlendedSkillTalkTeacher.TASK, BlendedSkillTalkTeacher::load);
    r.register(FromFileTeacher.TASK, FromFileTeacher::load);
    r.register(FromFileTeacher.TASK + ":parlaiformat", FromFileTeacher::load);
    r.register(FromFileTeacher.FBFORMAT, FromFileTeacher::loadFbFormat);
    return r;
  }

  /** Adds (or replaces) the factory for {@code task}; returns this registry. */
  public TeacherRegistry register(String task, TeacherFactory factory) {
    if (task == null || task.isBlank() || task.contains(",")) {
      throw new IllegalArgumentException(
          "task name must be non-blank and contain no ',', found '" + task + "'");
    }
    if (factory == null) {
      throw new IllegalArgumentException("task '" + task + "': factory must not be null");
    }
    factories.put(task, factory);
    return this;
  }

  /** The registered task names, sorted. */
  public Set<String> tasks() {
    return Collections.unmodifiableSet(factories.keySet());
  }

  /**
   * Creates the teacher for {@code task}.
   *
   * @throws IllegalArgumentException if the task is unknown (the message lists the known ones)
   * @throws IOException if its data cannot be read
   */
  public Teacher create(String task, TeacherOptions options) throws IOException {
    TeacherFactory f = factories.get(task == null ? "" : task.trim());
    if (f == null) {
      throw new IllegalArgumentException(
          "unknown task '" + task + "'; known tasks: " + String.join(", ", factories.keySet()));
    }
    return f.create(options);
  }
}
