package io.adahit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's help renders as written: picocli formats descriptions, so a bare % breaks them.
 */
class UsageTest {

  @Test
  void everyCommandsHelpRendersWithoutFormatWarnings() {
    PrintStream saved = System.err;
    ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    CommandLine main = Main.commandLine();
    StringBuilder usage = new StringBuilder(main.getUsageMessage());
    try {
      System.setErr(
          new PrintStream(warnings, true, StandardCharsets.UTF_8)); // picocli's tracer writes here
      usage.append(main.getUsageMessage());
      main.getSubcommands().values().forEach(c -> usage.append(c.getUsageMessage()));
    } finally {
      System.setErr(saved);
    }
    assertThat(warnings.toString(StandardCharsets.UTF_8)).doesNotContain("Could not format");
    assertThat(main.getSubcommands())
        .containsKeys("eval_model", "compare", "train", "serve", "ab-report");
    assertThat(usage).contains("a 95%").doesNotContain("%%");
  }

  private static String[] run(String... args) {
    CommandLine cmd = Main.commandLine();
    java.io.StringWriter err = new java.io.StringWriter();
    java.io.StringWriter out = new java.io.StringWriter();
    cmd.setErr(new java.io.PrintWriter(err, true));
    cmd.setOut(new java.io.PrintWriter(out, true));
    int code = cmd.execute(args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void parlaisModelFlagsGetAOneLineHint() {
    for (String flag : new String[] {"-mf", "-m", "--model-file"}) {
      String[] r = run("eval_model", "-t", "convai2", flag, "zoo:blender/blender_90M/model");
      assertThat(r[0]).isEqualTo("2");
      assertThat(r[2].lines().toList()).hasSize(1);
      assertThat(r[2])
          .startsWith(
              "adahit eval_model: error: "
                  + flag
                  + " is ParlAI's model flag; here a model is a skill:"
                  + " --skill NAME")
          .contains("--adapter DIR")
          .doesNotContain("Usage:");
    }
    String[] typo = run("eval_model", "-t", "convai2", "--skils-dir", "x");
    assertThat(typo[2])
        .startsWith("adahit eval_model: error: Unknown options: '--skils-dir', 'x'")
        .contains("Did you mean")
        .contains("--skills-dir")
        .contains("See 'adahit eval_model --help'.")
        .doesNotContain("Usage:");
  }

  @Test
  void everyCommandLineOfTheMainHelpIsAWholeSentence() {
    String help = Main.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF);
    assertThat(help.replaceAll("\\s+", " "))
        .contains(
            " pool Writes a skill's candidate pool and, for persona skills, its personas for the server. ");
  }

  @Test
  void oneNamePerIdeaOldNamesStillAccepted() {
    CommandLine main = Main.commandLine();
    for (String c :
        new String[] {"encode", "bench-encoder", "eval_model", "train", "bench-train"}) {
      String usage = main.getSubcommands().get(c).getUsageMessage(CommandLine.Help.Ansi.OFF);
      assertThat(usage)
          .as(c)
          .doesNotContain("--batch-size")
          .doesNotContain("--context-length")
          .doesNotContain("--reply-length");
    }
    assertThat(main.getSubcommands().get("bench-server").getUsageMessage(CommandLine.Help.Ansi.OFF))
        .contains("--skills-dir")
        .doesNotContain("--skills=");
    main.parseArgs("encode", "--batch-size", "8", "hi");
    main = Main.commandLine();
    main.parseArgs(
        "train",
        "--mode",
        "ada",
        "-t",
        "convai2",
        "--out",
        "x",
        "--context-length",
        "96",
        "--reply-length",
        "32");
    TrainCommand train = (TrainCommand) main.getSubcommands().get("train").getCommand();
    assertThat(train.contextLength).isEqualTo(96);
    assertThat(train.replyLength).isEqualTo(32);
  }

  /**
   * Scripts and notes spell each flag by its primary name: no command's hidden alias appears in
   * them.
   */
  @Test
  void scriptsAndNotesUseNoHiddenAlias() throws java.io.IOException {
    java.util.Set<String> hidden = new java.util.TreeSet<>();
    Main.commandLine()
        .getSubcommands()
        .values()
        .forEach(
            c ->
                c.getCommandSpec().options().stream()
                    .filter(CommandLine.Model.OptionSpec::hidden)
                    .forEach(o -> hidden.addAll(java.util.List.of(o.names()))));
    assertThat(hidden)
        .as("the aliases kept for old command lines")
        .contains("--context-length", "--batch-size", "--skills");
    java.nio.file.Path root = java.nio.file.Path.of("..");
    java.util.List<java.nio.file.Path> files = new java.util.ArrayList<>();
    files.add(root.resolve("README.md"));
    for (String dir : new String[] {"eval/results", "skills", "eval/k8s", "docker"}) {
      try (var walk = java.nio.file.Files.walk(root.resolve(dir))) {
        walk.filter(f -> f.toString().matches(".*\\.(sh|md|yaml|yml)$") || f.endsWith("Dockerfile"))
            .forEach(files::add);
      }
    }
    assertThat(files).as("scripts found").anyMatch(f -> f.endsWith("train-seed000.sh"));
    for (java.nio.file.Path f : files) {
      // a line naming commit 5887f59 drives that commit's jar, which knows only the old names
      String text =
          java.nio.file.Files.readAllLines(f).stream()
              .filter(l -> !l.contains("5887f59"))
              .collect(java.util.stream.Collectors.joining("\n"));
      for (String name : hidden) {
        assertThat(
                java.util.regex.Pattern.compile(
                        "(^|[\\s\"'(\\[:])"
                            + java.util.regex.Pattern.quote(name)
                            + "([\\s=\"')\\]]|$)",
                        java.util.regex.Pattern.MULTILINE)
                    .matcher(text)
                    .find())
            .as("%s uses the hidden alias %s", f, name)
            .isFalse();
      }
    }
  }
}
