package io.adahit.server.skills;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

/** Startup progress outside a terminal: plain log lines, never a redrawn bar. */
class LoadProgressTest {

  /** A logger that keeps what is logged at info, formatted. */
  static Logger recording(List<String> lines) {
    return (Logger)
        Proxy.newProxyInstance(
            Logger.class.getClassLoader(),
            new Class<?>[] {Logger.class},
            (proxy, method, args) -> {
              if (method.getName().equals("info")
                  && args != null
                  && args[0] instanceof String format) {
                Object[] rest =
                    args.length == 2 && args[1] instanceof Object[] a
                        ? a
                        : java.util.Arrays.copyOfRange(args, 1, args.length);
                lines.add(MessageFormatter.arrayFormat(format, rest).getMessage());
              }
              return method.getReturnType() == boolean.class ? true : null;
            });
  }

  @Test
  void aSlowTaskLogsHowFarItIsAndWhenItIsDone() {
    List<String> lines = new ArrayList<>();
    LoadProgress p = LoadProgress.log(recording(lines), Duration.ZERO);
    try (LoadProgress.Task t = p.start("skill convai2", 300)) {
      t.step(100);
      t.step(100);
      t.step(100);
    }
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("skill convai2: 100/300 candidates encoded (33%, ");
    assertThat(lines.get(1)).startsWith("skill convai2: 200/300 candidates encoded (66%, ");
    assertThat(lines.get(2)).startsWith("skill convai2: 300 candidates ready in ");
    assertThat(String.join("\n", lines)).doesNotContain("\r");
  }

  @Test
  void aQuickTaskLogsNothing() {
    List<String> lines = new ArrayList<>();
    try (LoadProgress.Task t =
        LoadProgress.log(recording(lines), Duration.ofMinutes(1)).start("skill base", 50)) {
      t.step(50);
    }
    assertThat(lines).isEmpty();
  }

  @Test
  void withoutATerminalTheConsoleProgressIsLogLines() {
    // surefire runs tests without a terminal, as nohup and containers run the server
    assertThat(LoadProgress.isTerminal()).isFalse();
  }
}
