package io.adahit.server.skills;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Confines adapter directories named by admin calls to the skills folder: the name is resolved
 * inside the folder and normalised, and its real path (symbolic links followed) must still be
 * inside the folder's real path, as must the real paths of the files read from it. "../x", absolute
 * paths, and links that point out are refused with a message saying which rule failed.
 *
 * <pre>{@code
 * SkillPaths paths = new SkillPaths(Path.of("skills"));
 * Path dir = paths.directory("convai2_da16");        // skills/convai2_da16, real path
 * paths.directory("../../etc");                       // IllegalArgumentException: leaves the skills folder
 * }</pre>
 */
public final class SkillPaths {

  private final Path root;

  public SkillPaths(Path root) {
    this.root = root;
  }

  /**
   * The real path of the directory {@code name} inside the skills folder.
   *
   * @throws IllegalArgumentException naming the rule it breaks
   * @throws IOException if the skills folder itself cannot be resolved
   */
  public Path directory(String name) throws IOException {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "adapter directory: a directory name inside the skills folder is required");
    }
    Path realRoot = root.toRealPath();
    Path requested;
    try {
      requested = Path.of(name);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(
          "adapter directory '" + name + "' is not a valid path: " + e.getReason());
    }
    if (requested.isAbsolute()) {
      throw new IllegalArgumentException(
          "adapter directory '"
              + name
              + "' must be a name inside the skills folder "
              + realRoot
              + ", not an absolute path");
    }
    Path inside = realRoot.resolve(requested).normalize();
    if (!inside.startsWith(realRoot) || inside.equals(realRoot)) {
      throw new IllegalArgumentException(
          "adapter directory '"
              + name
              + "' leaves the skills folder "
              + realRoot
              + " (path traversal refused)");
    }
    if (!Files.exists(inside, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException(
          "adapter directory '" + name + "' not found in the skills folder " + realRoot);
    }
    Path real;
    try {
      real = inside.toRealPath();
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          "adapter directory '"
              + name
              + "' is a symbolic link to a missing target"
              + " (skills folder "
              + realRoot
              + ")");
    }
    if (!real.startsWith(realRoot)) {
      throw new IllegalArgumentException(
          "adapter directory '"
              + name
              + "' is a symbolic link to "
              + real
              + ", outside the skills folder "
              + realRoot
              + " (refused)");
    }
    if (!Files.isDirectory(real)) {
      throw new IllegalArgumentException("adapter directory '" + name + "' is not a directory");
    }
    return real;
  }

  /**
   * Checks that each present file of {@code dir} resolves (links followed) inside the skills
   * folder.
   *
   * @throws IllegalArgumentException for a file linked out of the folder
   */
  public void checkFiles(Path dir, List<String> files) throws IOException {
    Path realRoot = root.toRealPath();
    for (String f : files) {
      Path p = dir.resolve(f);
      if (Files.exists(p) && !p.toRealPath().startsWith(realRoot)) {
        throw new IllegalArgumentException(
            "adapter file "
                + p
                + " is a symbolic link to "
                + p.toRealPath()
                + ", outside the skills folder "
                + realRoot
                + " (refused)");
      }
    }
  }

  public Path root() {
    return root;
  }
}
