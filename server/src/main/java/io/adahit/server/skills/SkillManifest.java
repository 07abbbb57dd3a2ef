package io.adahit.server.skills;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.adapters.AdapterFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A short, human description of a skill for clients (the chat page's skill picker), read from the
 * skill's own files:
 *
 * <ol>
 *   <li>a top-level {@code "description"} string in {@code adapter_config.json} or {@code
 *       router_config.json}, if the manifest has one;
 *   <li>else the title of its {@code REPRODUCE.md}: {@code # Skill `convai2`: persona chat (...)}
 *       gives "persona chat", {@code # Skill `auto` (the skill router)} gives "the skill router";
 *   <li>else what the skill is: "the zero-shot backbone" or "hierarchical adapters".
 * </ol>
 *
 * A router's description adds the skills it routes to. At most {@link #MAX_CHARS} characters.
 */
public final class SkillManifest {

  public static final String REPRODUCE_FILE = "REPRODUCE.md";
  public static final int MAX_CHARS = 160;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** "# Skill `name` rest" or "# `name` rest": group 1 is the rest. */
  private static final Pattern TITLE = Pattern.compile("^#\\s+(?:Skill\\s+)?`[^`]+`\\s*(.*)$");

  private SkillManifest() {}

  /** The description of {@code skill} (never null; reads its folder's files if it has one). */
  public static String description(Skill skill) {
    String text = skill.dir() == null ? null : fromFiles(skill.dir());
    if (text == null) {
      text =
          skill.isRouter()
              ? "the skill router"
              : skill.adapters() == null ? "the zero-shot backbone" : skill.kind() + " adapters";
    }
    if (skill.isRouter()) {
      List<String> s = skill.router().skills();
      String list =
          s.size() == 1
              ? s.get(0)
              : String.join(", ", s.subList(0, s.size() - 1)) + " or " + s.get(s.size() - 1);
      text = text + ": routes each turn to " + list;
    }
    return cut(text);
  }

  /** The manifest's description, else REPRODUCE.md's title; null if neither says anything. */
  static String fromFiles(Path dir) {
    for (String manifest : List.of(AdapterFiles.CONFIG_FILE, "router_config.json")) {
      Path f = dir.resolve(manifest);
      if (Files.isRegularFile(f)) {
        try {
          JsonNode d = JSON.readTree(f.toFile()).get("description");
          if (d != null && d.isTextual() && !d.asText().isBlank()) {
            return d.asText().strip();
          }
        } catch (IOException e) {
          // an unreadable manifest fails the skill's loading elsewhere, with its own message
        }
      }
    }
    Path readme = dir.resolve(REPRODUCE_FILE);
    if (!Files.isRegularFile(readme)) {
      return null;
    }
    try (var lines = Files.lines(readme, StandardCharsets.UTF_8)) {
      return lines
          .filter(l -> l.startsWith("# "))
          .findFirst()
          .map(SkillManifest::fromTitle)
          .orElse(null);
    } catch (IOException | java.io.UncheckedIOException e) {
      return null;
    }
  }

  /**
   * {@code # Skill `convai2`: persona chat (AdaHIT ...)} → "persona chat"; {@code # Skill `auto`
   * (the skill router)} → "the skill router"; null when the title says nothing more.
   */
  static String fromTitle(String title) {
    Matcher m = TITLE.matcher(title.strip());
    if (!m.matches()) {
      return null;
    }
    String rest = m.group(1).strip();
    if (rest.startsWith(":")) {
      rest = rest.substring(1).strip();
      int paren = rest.indexOf(" (");
      if (paren > 0) {
        rest = rest.substring(0, paren);
      }
    } else if (rest.startsWith("(") && rest.endsWith(")")) {
      rest = rest.substring(1, rest.length() - 1);
    }
    rest = rest.replace("`", "").strip();
    return rest.isEmpty() ? null : rest;
  }

  private static String cut(String s) {
    return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS - 1).stripTrailing() + "…";
  }
}
