package io.adahit.app.cli;

import io.adahit.agents.backbone.Backbone;
import io.adahit.eval.harness.EvalTarget;
import io.adahit.eval.harness.RankingModel;
import io.adahit.eval.harness.RoutedModel;
import io.adahit.eval.remote.RemoteModel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * What {@code eval_model} ranks with: {@code --skill NAME [--skills-dir DIR]} (a router directory
 * such as {@code skills/auto} routes each example to one of the folder's skills), or {@code
 * --adapter DIR}, or {@code --server HOST:PORT [--skill NAME]} (a live server's skill, through gRPC
 * Rank); none of them is the zero-shot backbone.
 */
final class ModelOptions {

  @Option(
      names = "--skill",
      paramLabel = "NAME",
      description =
          "Rank with this skill's adapters from --skills-dir; a router skill (e.g. auto) routes each example"
              + " to one of the folder's skills. With --server: the server's skill (default: its default skill)."
              + " Default: none, the zero-shot backbone.")
  String skill;

  @Option(
      names = "--skills-dir",
      paramLabel = "DIR",
      defaultValue = "skills",
      description = "Folder of skill directories for --skill (default: ${DEFAULT-VALUE}).")
  Path skillsDir;

  @Option(
      names = "--adapter",
      paramLabel = "DIR",
      description =
          "Rank with the adapter in DIR (adapter_config.json + adapter.safetensors); a hierarchical"
              + " adapter's base is found in a sibling directory.")
  Path adapter;

  @Option(
      names = "--server",
      paramLabel = "HOST:PORT",
      description =
          "Rank through a live server's gRPC Rank call (adahit serve; its gRPC port, default 50051),"
              + " -bs calls in flight; gives the same numbers as in process.")
  String server;

  @Option(
      names = "--server-deadline",
      paramLabel = "SECONDS",
      defaultValue = "120",
      description = "Deadline of each Rank call with --server (default: ${DEFAULT-VALUE}).")
  long serverDeadlineSeconds;

  boolean isRemote() {
    return server != null;
  }

  /**
   * Checks the combination before anything is loaded.
   *
   * @param backboneGiven whether --backbone was given
   * @param truncationGiven whether --text-truncate or --label-truncate was given
   */
  void validate(boolean backboneGiven, boolean truncationGiven) {
    if (!isRemote()) {
      return;
    }
    if (adapter != null) {
      throw new IllegalArgumentException(
          "--adapter cannot be used with --server: the server ranks with its own"
              + " skills; name one with --skill (found --adapter "
              + adapter
              + ")");
    }
    if (backboneGiven) {
      throw new IllegalArgumentException(
          "--backbone cannot be used with --server: the server ranks with its own backbone");
    }
    if (truncationGiven) {
      throw new IllegalArgumentException(
          "--text-truncate and --label-truncate cannot be changed with --server: the"
              + " server ranks each skill at the lengths it serves it at (its training lengths unless the server's"
              + " agent.textTruncate / agent.labelTruncate say otherwise; the report's opt records them)");
    }
  }

  /**
   * @param backbone the loaded backbone; null with --server (not needed)
   * @param callsInFlight Rank calls kept in flight with --server (-bs)
   */
  EvalTarget load(Backbone backbone, int callsInFlight) throws IOException {
    if (isRemote()) {
      return RemoteModel.connect(
          server, skill, callsInFlight, Duration.ofSeconds(serverDeadlineSeconds));
    }
    if (skill != null && adapter == null && RoutedModel.isRouter(skillsDir, skill)) {
      return RoutedModel.load(backbone, skillsDir, skill);
    }
    return RankingModel.load(backbone, skillsDir, skill, adapter);
  }
}
