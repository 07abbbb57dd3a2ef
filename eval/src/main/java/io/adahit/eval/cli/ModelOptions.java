package io.adahit.eval.cli;

import io.adahit.agents.backbone.Backbone;
import io.adahit.eval.harness.RankingModel;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --skill NAME [--skills-dir DIR]} or {@code --adapter DIR}; neither is zero-shot. */
final class ModelOptions {

  @Option(names = "--skill", paramLabel = "NAME",
      description = "Rank with this skill's adapters from --skills-dir (default: none, the zero-shot backbone).")
  String skill;

  @Option(names = "--skills-dir", paramLabel = "DIR", defaultValue = "skills",
      description = "Folder of skill directories for --skill (default: ${DEFAULT-VALUE}).")
  Path skillsDir;

  @Option(names = "--adapter", paramLabel = "DIR",
      description = "Rank with the adapter in DIR (adapter_config.json + adapter.safetensors); a hierarchical"
          + " adapter's base is found in a sibling directory.")
  Path adapter;

  RankingModel load(Backbone backbone) throws IOException {
    return RankingModel.load(backbone, skillsDir, skill, adapter);
  }
}
