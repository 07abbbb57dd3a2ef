package io.adahit.agents.backbone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds ../shared/data (beside the project root) and reads real sentences from it. */
public final class SharedData {

  private SharedData() {}

  public static Path dir() {
    String prop = System.getProperty("shared.data");
    if (prop != null && Files.isDirectory(Path.of(prop))) {
      return Path.of(prop);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared/data");
      if (Files.isRegularFile(candidate.resolve("README.md"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("shared/data not found above " + Path.of("").toAbsolutePath());
  }

  /**
   * The first {@code n} distinct utterances of the official ConvAI2 valid file (persona lines and
   * both sides of the dialogue), which vary in length from a few to ~30 word pieces.
   */
  public static List<String> convai2Sentences(int n) {
    Path f = dir().resolve("convai2/valid_self_original_no_cands.txt");
    List<String> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        String body = line.substring(line.indexOf(' ') + 1);
        for (String part : body.split("\t")) {
          if (!part.isBlank() && !out.contains(part) && out.size() < n) {
            out.add(part);
          }
        }
        if (out.size() >= n) {
          break;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
