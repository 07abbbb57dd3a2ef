package io.adahit.eval.harness;

import io.adahit.agents.adapters.AdapterConfig;
import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.AdapterInit;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.routing.RouterTrainer;
import io.adahit.agents.routing.SkillRouter;
import io.adahit.eval.teachers.Datatype;
import io.adahit.eval.teachers.SharedData;
import io.adahit.eval.teachers.Teacher;
import io.adahit.eval.teachers.TeacherOptions;
import io.adahit.eval.teachers.TeacherRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A skills folder with a router, built for tests from real data, servable by the server as is:
 *
 * <ul>
 *   <li>{@code convai2}: a small Houlsby adapter (top block, bottleneck 8, visibly non-identity);
 *       its provenance lists the ConvAI2 valid file, so evaluating ConvAI2 with it is contaminated,
 *       and records training lengths of {@link #CONVAI2_LENGTHS} (contexts 64, replies 32 word
 *       pieces), at which it is ranked and served by default
 *   <li>{@code empathetic_dialogues}: no adapter files, the zero-shot backbone
 *   <li>{@code auto}: a router over the two, trained on real contexts of both valid splits taken
 *       after the first {@link #HELD_OUT} examples (the ones tests evaluate)
 * </ul>
 *
 * Each skill has a {@code candidates.txt} of real replies (for the server).
 */
public final class RouterSkills {

  public static final List<String> SKILLS = List.of("convai2", "empathetic_dialogues");

  /** Examples at the start of each split that the router never saw. */
  public static final int HELD_OUT = 100;

  /** The training lengths convai2's manifest records: contexts 64, replies 32 word pieces. */
  public static final List<Integer> CONVAI2_LENGTHS = List.of(64, 32);

  private RouterSkills() {}

  /** Writes the folder; returns it. */
  public static Path write(Backbone backbone, Path folder) throws Exception {
    TeacherOptions opts = TeacherOptions.of(SharedData.dir(), Datatype.VALID);
    Map<String, List<String>> contexts = new LinkedHashMap<>();
    for (String task : SKILLS) {
      Teacher t = TeacherRegistry.builtIn().create(task, opts);
      List<EvalExample> ex = ContextBuilder.build(t, HELD_OUT + 100);
      contexts.put(
          task, ex.subList(HELD_OUT, HELD_OUT + 60).stream().map(EvalExample::context).toList());
      Path dir = Files.createDirectories(folder.resolve(task));
      Files.write(
          dir.resolve("candidates.txt"),
          ex.subList(HELD_OUT + 60, HELD_OUT + 100).stream()
              .map(e -> e.example().evalLabels().get(0))
              .distinct()
              .toList(),
          StandardCharsets.UTF_8);
      if (task.equals("convai2")) {
        try (AdapterSet s =
            AdapterSet.create(
                backbone,
                AdapterConfig.houlsby(task, 6).withBottleneck(8).withTopLayers(1),
                new AdapterInit(21, 0.3, 0.3))) {
          AdapterFiles.save(
              s,
              dir,
              new Provenance(
                  List.of(Provenance.TrainingFile.of(t.dataFile())),
                  10L,
                  0L,
                  1e-3,
                  null,
                  Map.of(
                      "context_length",
                      CONVAI2_LENGTHS.get(0).toString(),
                      "reply_length",
                      CONVAI2_LENGTHS.get(1).toString())));
        }
      }
    }
    SkillRouter auto =
        new RouterTrainer(backbone, RouterTrainer.Options.defaults()).train("auto", contexts, null);
    auto.save(folder.resolve("auto"), Provenance.pending());
    return folder;
  }
}
