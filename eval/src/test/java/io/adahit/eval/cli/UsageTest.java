package io.adahit.eval.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's help renders as written: picocli formats descriptions, so a bare % breaks them. */
class UsageTest {

  @Test
  void everyCommandsHelpRendersWithoutFormatWarnings() {
    PrintStream saved = System.err;
    ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    CommandLine main = Main.commandLine();
    StringBuilder usage = new StringBuilder(main.getUsageMessage());
    try {
      System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));   // picocli's tracer writes here
      usage.append(main.getUsageMessage());
      main.getSubcommands().values().forEach(c -> usage.append(c.getUsageMessage()));
    } finally {
      System.setErr(saved);
    }
    assertThat(warnings.toString(StandardCharsets.UTF_8)).doesNotContain("Could not format");
    assertThat(main.getSubcommands()).containsKeys("eval_model", "compare", "train", "serve", "ab-report");
    assertThat(usage).contains("a 95%").doesNotContain("%%");
  }
}
