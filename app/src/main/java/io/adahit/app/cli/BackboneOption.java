package io.adahit.app.cli;

import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EmbeddedBackbone;
import java.io.IOException;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --backbone} option shared by commands that load the encoder: a name or a path. */
final class BackboneOption {

  @Option(
      names = "--backbone",
      paramLabel = "NAME|PATH",
      description =
          "An embedded backbone (all-minilm-l6-v2, the default, or bge-small-en-v1.5), "
              + "a Hugging Face BERT directory (config.json, model.safetensors, tokenizer.json) "
              + "or an .onnx file with tokenizer.json beside it.")
  String value;

  boolean given() {
    return value != null;
  }

  /** The embedded backbone selected (the default when the option is absent); empty for a path. */
  Optional<EmbeddedBackbone> embedded() {
    return value == null
        ? Optional.of(EmbeddedBackbone.defaultBackbone())
        : EmbeddedBackbone.find(value);
  }

  Backbone load() throws IOException {
    return Backbone.open(value);
  }
}
