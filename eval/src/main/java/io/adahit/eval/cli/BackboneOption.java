package io.adahit.eval.cli;

import io.adahit.agents.backbone.Backbone;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --backbone} option shared by commands that load the encoder. */
final class BackboneOption {

  @Option(names = "--backbone", paramLabel = "PATH",
      description = "Hugging Face BERT directory (config.json, model.safetensors, tokenizer.json) "
          + "or .onnx file with tokenizer.json beside it; default: the embedded all-MiniLM-L6-v2.")
  Path path;

  Backbone load() throws IOException {
    return path == null ? Backbone.loadDefault() : Backbone.load(path);
  }
}
