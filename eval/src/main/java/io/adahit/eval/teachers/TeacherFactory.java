package io.adahit.eval.teachers;

import java.io.IOException;

/**
 * Creates a teacher for one task from the options; registered in a {@link TeacherRegistry}.
 *
 * <pre>{@code
 * TeacherFactory f = ConvAI2Teacher::load;
 * Teacher t = f.create(TeacherOptions.of(datapath, Datatype.VALID));
 * }</pre>
 */
@FunctionalInterface
public interface TeacherFactory {

  /**
   * @throws IOException if the data file cannot be read or is malformed
   */
  Teacher create(TeacherOptions options) throws IOException;
}
