package io.adahit.eval.harness;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Small adapters written for tests into a skills folder, with weights large enough to change the
 * embeddings visibly:
 *
 * <ul>
 *   <li>{@code base}: bottleneck 8 on the top block; its provenance lists {@code baseTrainingFile}
 *   <li>{@code hit}: hierarchical on {@code base}, nothing in its own provenance
 *   <li>{@code plain}: bottleneck 8 on the top block; provenance lists {@code plainTrainingFile}
 *   <li>{@code head}: a linear head (FE) with weight -I
 * </ul>
 */
public final class TestSkills {

  private TestSkills() {}

  public static void write(
      Backbone backbone, Path folder, Path baseTrainingFile, Path plainTrainingFile)
      throws Exception {
    AdapterInit strong = new AdapterInit(11, 0.5, 0.5);
    AdapterConfig baseConfig = AdapterConfig.houlsby("base", 6).withBottleneck(8).withTopLayers(1);
    try (AdapterSet base = AdapterSet.create(backbone, baseConfig, strong)) {
      base.setTrainable(false);
      AdapterFiles.save(base, folder.resolve("base"), provenance(baseTrainingFile));
      try (AdapterSet hit =
          AdapterSet.create(
              backbone,
              AdapterConfig.hierarchical("hit", baseConfig, 4, 2),
              new AdapterInit(12, 0.5, 0.5),
              base)) {
        AdapterFiles.save(hit, folder.resolve("hit"), Provenance.pending());
      }
    }
    try (AdapterSet plain =
        AdapterSet.create(
            backbone,
            AdapterConfig.houlsby("plain", 6).withBottleneck(8).withTopLayers(1),
            new AdapterInit(13, 0.5, 0.5))) {
      AdapterFiles.save(plain, folder.resolve("plain"), provenance(plainTrainingFile));
    }
    try (AdapterSet head =
        AdapterSet.create(backbone, AdapterConfig.linearHead("head"), AdapterInit.seeded(14))) {
      head.setTrainable(false);
      // a fresh head is the identity: make it -I so that it visibly changes the embeddings
      head.parameters().stream()
          .filter(p -> p.getName().endsWith("weight"))
          .forEach(p -> p.muli(-1f));
      AdapterFiles.save(head, folder.resolve("head"), Provenance.pending());
    }
  }

  private static Provenance provenance(Path trainingFile) throws Exception {
    return new Provenance(
        List.of(Provenance.TrainingFile.of(trainingFile)), 100L, 0L, 1e-3, null, Map.of());
  }
}
