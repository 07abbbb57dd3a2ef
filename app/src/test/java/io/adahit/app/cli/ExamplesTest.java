package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.adahit.eval.harness.SkillFolder;
import io.adahit.eval.teachers.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Every example command a user meets, in README.md and in every command's --help, is checked the
 * way a user would run it: each parses (flags and values), names only skills of the shipped {@code
 * skills} folder, and the evaluation examples ({@code eval_model}, {@code compare}, {@code
 * merge_reports}, {@code encode}) run in process on small slices ({@code -ne 4}) against the
 * shipped skills; a failing example fails the test with its command line.
 */
class ExamplesTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Set<String> RUN = Set.of("eval_model", "compare", "merge_reports", "encode");

  @TempDir static Path tmp;

  static Path data;

  @BeforeAll
  static void inputs() throws Exception {
    data = SharedData.dir();
    Files.writeString(tmp.resolve("lines.txt"), "hello there\nhow are you?\n");
    Files.writeString(
        tmp.resolve("my_dialogs.txt"),
        "text:hello\tlabels:hi there\tlabel_candidates:hi there|the sea|bye\n"
            + "text:how are you?\tlabels:fine thanks\tlabel_candidates:fine thanks|a cat\tepisode_done:True\n");
  }

  /**
   * {@code bin/adahit ...} lines of README's bash blocks, continuations joined, comments dropped.
   */
  static List<String> readmeExamples() throws Exception {
    List<String> out = new ArrayList<>();
    boolean inBash = false;
    StringBuilder pending = null;
    for (String line : Files.readAllLines(ROOT.resolve("README.md"))) {
      if (line.startsWith("```")) {
        inBash = line.startsWith("```bash");
        continue;
      }
      if (!inBash) {
        continue;
      }
      String t = stripComment(line).strip();
      if (pending == null && !t.startsWith("bin/adahit ")) {
        continue;
      }
      pending = pending == null ? new StringBuilder() : pending.append(' ');
      if (t.endsWith("\\")) {
        pending.append(t, 0, t.length() - 1).append(' ');
        continue;
      }
      pending.append(t);
      String cmd =
          pending
              .toString()
              .replaceFirst("^bin/adahit ", "")
              .replaceAll("\\s*&$", "")
              .replaceAll("\\s+", " ")
              .strip();
      if (cmd.contains("$i")) { // README's shard loop: for i in 0 1 2 3
        for (int i = 0; i < 4; i++) {
          out.add(cmd.replace("$i", Integer.toString(i)));
        }
      } else {
        out.add(cmd);
      }
      pending = null;
    }
    return out;
  }

  private static String stripComment(String line) {
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '#' && !quoted && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  /** {@code adahit <command> ...} examples in every command's usage message. */
  static List<String> helpExamples() {
    CommandLine main = Main.commandLine();
    Set<String> out = new LinkedHashSet<>();
    Pattern p =
        Pattern.compile(
            "adahit ((" + String.join("|", main.getSubcommands().keySet()) + ") [^;(]*)");
    for (CommandLine c : main.getSubcommands().values()) {
      for (String line : c.getCommandSpec().usageMessage().description()) {
        Matcher m = p.matcher(line);
        while (m.find()) {
          out.add(m.group(1).strip().replaceAll("[.]$", ""));
        }
      }
    }
    return List.copyOf(out);
  }

  private static List<String> words(String cmd) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(cmd);
    while (m.find()) {
      out.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    return out;
  }

  @Test
  void everyExampleParsesAndNamesOnlyKnownSkills() throws Exception {
    List<String> all = new ArrayList<>(readmeExamples());
    all.addAll(helpExamples());
    assertThat(readmeExamples()).hasSizeGreaterThan(30);
    assertThat(helpExamples()).hasSizeGreaterThan(10);
    List<String> skills = SkillFolder.names(ROOT.resolve("skills"));
    List<String> failures = new ArrayList<>();
    for (String cmd : all) {
      try {
        ParseResult r = Main.commandLine().parseArgs(words(cmd).toArray(String[]::new));
        ParseResult sub = r.subcommand();
        boolean remote =
            sub.hasMatchedOption("--server") || sub.commandSpec().name().equals("ab-simulate");
        for (String opt : List.of("--skill", "--a-skill", "--b-skill")) {
          if (!remote && sub.hasMatchedOption(opt)) {
            String s = sub.matchedOptionValue(opt, "");
            if (!skills.contains(s)) {
              failures.add(cmd + ": skill '" + s + "' is not one of " + skills);
            }
          }
        }
      } catch (CommandLine.ParameterException e) {
        failures.add(cmd + ": " + e.getMessage());
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void theEvaluationExamplesRunOnSmallSlices() throws Exception {
    List<String> all = new ArrayList<>(readmeExamples());
    all.addAll(helpExamples());
    List<String> failures = new ArrayList<>();
    int ran = 0;
    for (String cmd : all) {
      List<String> args = words(cmd);
      if (!RUN.contains(args.get(0)) || args.contains("--server")) {
        continue; // servers, training, benchmarks, A/B against a live server: parsed above only
      }
      List<String> a = adapt(args);
      CommandLine line = Main.commandLine();
      StringWriter err = new StringWriter();
      line.setErr(new PrintWriter(err, true));
      line.setOut(new PrintWriter(new StringWriter(), true));
      int code = line.execute(a.toArray(String[]::new));
      ran++;
      if (code != 0) {
        failures.add(cmd + "\n  ran as: " + String.join(" ", a) + "\n  " + err.toString().strip());
      }
    }
    assertThat(failures).isEmpty();
    assertThat(ran).isGreaterThanOrEqualTo(12);
  }

  /**
   * The example on a small slice, its files in the temporary folder, against the shipped skills.
   */
  private static List<String> adapt(List<String> args) throws Exception {
    String command = args.get(0);
    Map<String, Path> inputs =
        Map.of(
            "/tmp/run3/convai2",
            ROOT.resolve("skills/convai2"),
            "lines.txt",
            tmp.resolve("lines.txt"),
            "my_dialogs.txt",
            tmp.resolve("my_dialogs.txt"));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String w = args.get(i);
      String prev = i > 0 ? args.get(i - 1) : "";
      if (prev.equals("-ne")) {
        w = "4";
      } else if (inputs.containsKey(w)) {
        w = inputs.get(w).toString();
      } else if (Set.of("-rf", "--world-logs").contains(prev)) {
        Path f = tmp.resolve(w);
        Files.createDirectories(f.getParent());
        w = f.toString();
      } else if (command.equals("merge_reports") && w.contains("*")) {
        try (var files =
            Files.newDirectoryStream(
                tmp.resolve(w).getParent(), Path.of(w).getFileName().toString())) {
          files.forEach(f -> out.add(f.toString()));
        }
        continue;
      }
      out.add(w);
    }
    if (command.equals("eval_model") || command.equals("compare")) {
      if (!out.contains("-ne")) {
        out.addAll(List.of("-ne", "4"));
      }
      out.addAll(
          List.of(
              "--datapath",
              data.toString(),
              "--skills-dir",
              ROOT.resolve("skills").toString(),
              "--cache-dir",
              tmp.resolve("cache").toString()));
    }
    return out;
  }
}
