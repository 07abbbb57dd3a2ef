package io.adahit.eval.teachers;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a teacher needs to load: where the data lives, which split, and how to make candidates.
 *
 * <pre>{@code
 * TeacherOptions opts = TeacherOptions.of(Path.of("../shared/data"), Datatype.TEST)
 *     .withSeed(7)
 *     .withNumCandidates(20)                        // default: the task's K (20 or 100)
 *     .withDataFile(Path.of("/data/bst/test.json")); // default: the task's file under datapath
 * }</pre>
 *
 * @param datapath the data folder (ParlAI's {@code --datapath}; the CLI defaults to {@code
 *     ../shared/data})
 * @param datatype the split
 * @param seed seed of the negative sampling; the same seed gives the same candidates
 * @param numCandidates K, when not the task's default; used only for examples whose data gives no
 *     candidates
 * @param dataFile a file to read instead of the task's default one (its layout is detected); the
 *     {@code fromfile} task requires it
 */
public record TeacherOptions(
    Path datapath,
    Datatype datatype,
    long seed,
    OptionalInt numCandidates,
    Optional<Path> dataFile) {

  public TeacherOptions {
    if (datapath == null) {
      throw new IllegalArgumentException("datapath must not be null");
    }
    if (datatype == null) {
      throw new IllegalArgumentException("datatype must not be null");
    }
    if (numCandidates == null) {
      throw new IllegalArgumentException(
          "numCandidates must not be null (use OptionalInt.empty())");
    }
    if (numCandidates.isPresent() && numCandidates.getAsInt() < 1) {
      throw new IllegalArgumentException(
          "numCandidates must be >= 1, found " + numCandidates.getAsInt());
    }
    if (dataFile == null) {
      throw new IllegalArgumentException("dataFile must not be null (use Optional.empty())");
    }
  }

  /** Seed 0, the task's default K and data file. */
  public static TeacherOptions of(Path datapath, Datatype datatype) {
    return new TeacherOptions(datapath, datatype, 0L, OptionalInt.empty(), Optional.empty());
  }

  public TeacherOptions withSeed(long newSeed) {
    return new TeacherOptions(datapath, datatype, newSeed, numCandidates, dataFile);
  }

  public TeacherOptions withNumCandidates(int k) {
    return new TeacherOptions(datapath, datatype, seed, OptionalInt.of(k), dataFile);
  }

  public TeacherOptions withDataFile(Path file) {
    return new TeacherOptions(datapath, datatype, seed, numCandidates, Optional.of(file));
  }

  /**
   * The explicit data file, or the first of {@code defaults} (relative to datapath) that exists.
   */
  Path resolve(String... defaults) {
    if (dataFile.isPresent()) {
      return dataFile.get();
    }
    for (String d : defaults) {
      Path p = datapath.resolve(d);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    // None exists: name the last (the file shipped in shared/data) so the error is useful.
    return datapath.resolve(defaults[defaults.length - 1]);
  }

  /**
   * Like {@link #resolve}, but a missing file is an error that names the file, the folder it was
   * looked for in, and every other name tried.
   *
   * @throws NoSuchFileException for the last default (or the explicit file), with that message
   */
  Path require(String task, String... defaults) throws NoSuchFileException {
    Path file = resolve(defaults);
    if (Files.isRegularFile(file)) {
      return file;
    }
    String where = "data file " + file.getFileName() + " not found in folder " + folder(file);
    if (dataFile.isEmpty()) {
      where +=
          " (--datapath "
              + datapath.toAbsolutePath().normalize()
              + (defaults.length > 1
                  ? "; also looked for "
                      + String.join(", ", Arrays.asList(defaults).subList(0, defaults.length - 1))
                  : "")
              + ")";
    }
    throw new NoSuchFileException(
        file.toString(), null, "task '" + task + "' (" + datatype + "): " + where);
  }

  /** The absolute folder of {@code file}, marked when it does not exist at all. */
  private static String folder(Path file) {
    Path dir = file.toAbsolutePath().normalize().getParent();
    return dir + (Files.isDirectory(dir) ? "" : " (which does not exist)");
  }
}
