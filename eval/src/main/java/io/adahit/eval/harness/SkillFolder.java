package io.adahit.eval.harness;

import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.routing.SkillRouter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The skill names of a skills folder, the one namespace the CLI and the server share: a skill is
 * named after its directory, and a directory is a skill when it holds adapters ({@code
 * adapter_config.json}), a router ({@code router_config.json}, e.g. {@code auto}) or a candidate
 * pool ({@code candidates.txt}; without adapters it is the zero-shot backbone, e.g. {@code base}).
 *
 * <pre>{@code
 * SkillFolder.names(Path.of("skills"));   // [adahit_base, auto, base, blended_skill_talk, ...]
 * SkillFolder.check(Path.of("skills"), "bst");   // IllegalArgumentException listing the valid names
 * }</pre>
 */
public final class SkillFolder {

  private SkillFolder() {}

  /** The skill directories' names, sorted. */
  public static List<String> names(Path skillsDir) throws IOException {
    if (!Files.isDirectory(skillsDir)) {
      throw new NoSuchFileException(
          skillsDir.toAbsolutePath().normalize().toString(), null, "skills folder not found");
    }
    try (Stream<Path> dirs = Files.list(skillsDir)) {
      return dirs.filter(Files::isDirectory)
          .filter(SkillFolder::isSkill)
          .map(d -> d.getFileName().toString())
          .sorted()
          .toList();
    }
  }

  /** Whether {@code dir} is a skill directory. */
  public static boolean isSkill(Path dir) {
    return Files.isRegularFile(dir.resolve(AdapterFiles.CONFIG_FILE))
        || SkillRouter.isRouterDir(dir)
        || Files.isRegularFile(dir.resolve("candidates.txt"));
  }

  /**
   * Whether skill {@code name} of the folder ranks with the zero-shot backbone (no adapters, not a
   * router).
   */
  public static boolean isZeroShot(Path skillsDir, String name) {
    Path dir = skillsDir.resolve(name);
    return !Files.isRegularFile(dir.resolve(AdapterFiles.CONFIG_FILE))
        && !SkillRouter.isRouterDir(dir);
  }

  /**
   * Checks that {@code name} is a skill of the folder.
   *
   * @throws IllegalArgumentException naming the skill and the folder and listing the valid names
   */
  public static void check(Path skillsDir, String name) throws IOException {
    List<String> names = names(skillsDir);
    if (!names.contains(name)) {
      throw new IllegalArgumentException(
          "unknown skill '"
              + name
              + "' in skills folder "
              + skillsDir.toAbsolutePath().normalize()
              + "; known skills: "
              + names
              + " (the names the server serves: a skill is named after its directory; a directory without adapters,"
              + " such as base, is the zero-shot backbone; a router such as auto routes each example)");
    }
  }
}
