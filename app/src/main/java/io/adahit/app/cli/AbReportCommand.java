package io.adahit.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.app.CliErrors;
import io.adahit.eval.report.ReportWriter;
import io.adahit.server.config.ConfigLoader;
import io.adahit.server.config.ServerConfig;
import io.adahit.server.events.EventDatabase;
import io.adahit.server.events.EventQueries;
import io.adahit.server.events.StoredExperiment;
import io.adahit.server.experiments.AbReport;
import io.adahit.server.experiments.Experiment;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code adahit ab-report}: the online outcome of an A/B experiment from the event store (per
 * variant counts, mean rating, thumbs-up rate with its Wilson interval, z and Welch tests against
 * the control, a sample-size hint), and with {@code --offline-task} the offline comparison of the
 * same adapters ({@code compare}: hits@1 difference with a paired bootstrap interval, McNemar) on
 * an eval task, so one command shows both.
 */
@Command(
    name = "ab-report",
    mixinStandardHelpOptions = true,
    description = {
      "Report an A/B experiment of skill adapters from the server's event store, optionally with the"
          + " offline comparison of its variants on an eval task.",
      "Example: adahit ab-report convai2-da --db jdbc:sqlite:events/adahit-events.db --offline-task convai2 -ne 2000"
    })
final class AbReportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "The experiment's name.")
  String experiment;

  @Option(
      names = "--db",
      paramLabel = "JDBC_URL",
      description = "The event store (default: events.url of the server config).")
  String db;

  @Option(
      names = "--db-user",
      description = "Database user (default: events.user of the server config).")
  String dbUser;

  @Option(
      names = "--db-password-env",
      paramLabel = "VAR",
      description = "Environment variable holding the password.")
  String dbPasswordEnv;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Server config to read events.* and skills.dir from (default: ./adahit-server.yaml if present).")
  Path config;

  @Option(
      names = "--skills-dir",
      paramLabel = "DIR",
      description =
          "Skills folder of the variants' adapters"
              + " (default: skills.dir of the server config).")
  Path skillsDir;

  @Option(
      names = "--offline-task",
      paramLabel = "TASK",
      description =
          "Also compare the variants offline on this eval task (e.g. convai2): each variant against the control.")
  String offlineTask;

  @Option(
      names = {"-ne", "--num-examples"},
      defaultValue = "-1",
      description = "Offline: examples to evaluate (default: the whole split).")
  int numExamples;

  @Mixin DataPathOption datapath;

  @Option(
      names = "--cache-dir",
      defaultValue = ".cache/embeddings",
      description = "Offline: embedding cache folder (default: ${DEFAULT-VALUE}).")
  Path cacheDir;

  @Option(
      names = "--bootstrap-samples",
      defaultValue = "1000",
      description = "Offline: paired bootstrap resamples (default: ${DEFAULT-VALUE}).")
  int resamples;

  @Option(
      names = {"-rf", "--report-filename"},
      paramLabel = "FILE",
      description = "Write {\"opt\", \"report\": {\"online\", \"offline\"}} here.")
  Path reportFile;

  @Override
  public Integer call() throws Exception {
    ServerConfig server =
        ConfigLoader.load(
            config != null
                ? config
                : Files.isRegularFile(Path.of("adahit-server.yaml"))
                    ? Path.of("adahit-server.yaml")
                    : null,
            Map.of());
    ServerConfig.Events events =
        new ServerConfig.Events(
            db != null ? db : server.events().url(),
            dbUser != null ? dbUser : server.events().user(),
            dbPasswordEnv != null ? dbPasswordEnv : server.events().passwordEnv(),
            null);
    EventDatabase database = EventDatabase.of(events);
    try {
      database.requireSchema(); // read only: never create or migrate a store (a mistyped path stays
      // mistyped)
    } catch (java.sql.SQLException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    EventQueries queries = new EventQueries(database);
    ObjectMapper json = new ObjectMapper();
    StoredExperiment stored =
        queries
            .experiment(experiment)
            .orElseThrow(
                () -> {
                  List<String> known = new ArrayList<>();
                  try {
                    queries.experiments().forEach(s -> known.add(s.name()));
                  } catch (java.sql.SQLException e) {
                    known.add("(unreadable: " + e.getMessage() + ")");
                  }
                  return new IllegalArgumentException(
                      "experiment '"
                          + experiment
                          + "' is not in the event store "
                          + database.redacted()
                          + "; stored experiments: "
                          + known);
                });
    Experiment e = json.readValue(stored.definition(), Experiment.class);
    AbReport online = AbReport.compute(e, queries.counts(experiment));
    PrintWriter out = spec.commandLine().getOut();
    AbReportTable.print(out, online);

    Map<String, Object> offline = new LinkedHashMap<>();
    Map<String, Object> offlineLengths = new LinkedHashMap<>();
    if (offlineTask != null) {
      Path dir = skillsDir != null ? skillsDir : server.skills().dir();
      Experiment.Variant control = e.control();
      for (Experiment.Variant v : e.variants().subList(1, e.variants().size())) {
        out.println();
        out.println(
            "offline: " + v.name() + " (B) vs " + control.name() + " (A) on " + offlineTask);
        out.flush();
        JsonNode cmp = compare(adapterDir(dir, e, control), adapterDir(dir, e, v), json);
        offline.put(v.name() + "_vs_" + control.name(), cmp.get("report").get("comparison"));
        Map<String, Object> sides =
            new LinkedHashMap<>(); // each variant at its own adapter's lengths
        sides.put(control.name(), cmp.get("opt").get("a").get("lengths"));
        sides.put(v.name(), cmp.get("opt").get("b").get("lengths"));
        offlineLengths.put(v.name() + "_vs_" + control.name(), sides);
        out.println(
            "text lengths: "
                + control.name()
                + " "
                + cmp.get("opt").get("a").get("lengths")
                + ", "
                + v.name()
                + " "
                + cmp.get("opt").get("b").get("lengths"));
      }
    }
    if (reportFile != null) {
      Map<String, Object> opt = new LinkedHashMap<>();
      opt.put("experiment", experiment);
      opt.put("db", database.redacted());
      opt.put("definition", e);
      opt.put("offline_task", offlineTask);
      if (offlineTask != null) {
        opt.put(
            "offline_lengths",
            offlineLengths); // variant -> skill -> {text_truncate, label_truncate, from}
      }
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("online", online);
      report.put("offline", offline);
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("opt", opt);
      root.put("report", report);
      new ReportWriter(json).write(reportFile, json.valueToTree(root));
      spec.commandLine().getErr().println("report written to " + reportFile);
    }
    return 0;
  }

  /**
   * The variant's adapter directory, or null for the zero-shot backbone (a skill without adapters).
   */
  private static Path adapterDir(Path skills, Experiment e, Experiment.Variant v) {
    Path d = skills.resolve(v.adapter() == null ? e.skill() : v.adapter());
    return Files.isRegularFile(d.resolve(AdapterFiles.CONFIG_FILE)) ? d : null;
  }

  /**
   * Runs {@code compare} (the eval harness' offline A/B) for A and B, each at its own adapter's
   * training lengths; returns its report file ({@code opt}, {@code report}).
   */
  private JsonNode compare(Path a, Path b, ObjectMapper json) throws Exception {
    Path rf = Files.createTempFile("ab-offline-", ".json");
    try {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "-t",
                  offlineTask,
                  "-ne",
                  Integer.toString(numExamples),
                  "-dp",
                  datapath.path().toString(),
                  "--cache-dir",
                  cacheDir.toString(),
                  "--bootstrap-samples",
                  Integer.toString(resamples),
                  "-rf",
                  rf.toString()));
      if (a != null) {
        args.addAll(List.of("--a-adapter", a.toString()));
      }
      if (b != null) {
        args.addAll(List.of("--b-adapter", b.toString()));
      }
      CommandLine compare =
          new CommandLine(new CompareCommand())
              .setCaseInsensitiveEnumValuesAllowed(true)
              .setExecutionExceptionHandler(new CliErrors())
              .setOut(spec.commandLine().getOut())
              .setErr(spec.commandLine().getErr());
      int code = compare.execute(args.toArray(String[]::new));
      if (code != 0) {
        throw new IllegalArgumentException(
            "the offline comparison failed (compare "
                + String.join(" ", args)
                + " exited "
                + code
                + ")");
      }
      return json.readTree(rf.toFile());
    } finally {
      Files.deleteIfExists(rf);
    }
  }
}
