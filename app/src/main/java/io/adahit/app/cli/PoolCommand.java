package io.adahit.app.cli;

import io.adahit.agents.backbone.AtomicFiles;
import io.adahit.eval.training.TrainingCorpus;
import io.adahit.eval.training.TrainingDialogue;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code adahit pool}: writes a skill's candidate pool, the distinct replies of its training data
 * (never an evaluation split), into the skill folder the server answers from, plus, for persona
 * skills, the persona sets a conversation draws its bot persona from.
 */
@Command(
    name = "pool",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Writes a skill's candidate pool and, for persona skills, its personas for the server.",
      "candidates.txt: the distinct replies of the skill's training data, one per line; personas.txt: one",
      "persona set per line, sentences separated by '|'.",
      "Example: adahit pool -t convai2 --skill-dir skills/convai2"
    })
public final class PoolCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = {"-t", "--task"},
      required = true,
      description = "Skill whose training data gives the pool.")
  String task;

  @Option(
      names = "--skill-dir",
      required = true,
      description = "Skill folder to write candidates.txt (and personas.txt) into.")
  Path skillDir;

  @Mixin DataPathOption datapath;

  @Option(
      names = "--max-candidates",
      defaultValue = "5000",
      description =
          "Keep a seeded sample of at most this many replies (0: all; default: ${DEFAULT-VALUE}).")
  int maxCandidates;

  @Option(
      names = "--max-personas",
      defaultValue = "1000",
      description = "Persona sets to keep (default: ${DEFAULT-VALUE}).")
  int maxPersonas;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Sampling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    TrainingCorpus.SkillData data = TrainingCorpus.builtIn().load(task, datapath.path());
    Set<String> distinct = new LinkedHashSet<>();
    for (TrainingDialogue d : data.dialogues()) {
      for (String r : d.replies()) {
        String line = r.replace('\n', ' ').strip();
        if (!line.isEmpty()) {
          distinct.add(line);
        }
      }
    }
    List<String> pool = sample(new ArrayList<>(distinct), maxCandidates, seed);
    Path file = skillDir.resolve("candidates.txt");
    write(file, pool);
    out.printf(
        "%s: %,d candidates (of %,d distinct training replies from %s)%n",
        file, pool.size(), distinct.size(), TrainingCorpus.builtIn().files(task));
    List<String> personas = personas(data);
    if (!personas.isEmpty()) {
      List<String> kept = sample(personas, maxPersonas, seed);
      Path pf = skillDir.resolve("personas.txt");
      write(pf, kept);
      out.printf("%s: %,d persona sets%n", pf, kept.size());
    }
    return 0;
  }

  /**
   * Persona sets: for convai2 the training dialogues' own "your persona:" lines; for
   * blended_skill_talk ParlAI's bst/safe_personas.txt (what its interactive world draws from).
   */
  private List<String> personas(TrainingCorpus.SkillData data) throws java.io.IOException {
    if (task.equals("blended_skill_talk")) {
      Path safe = datapath.path().resolve("bst/safe_personas.txt");
      List<String> out = new ArrayList<>();
      for (String line : Files.readAllLines(safe, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          out.add(line.strip());
        }
      }
      return out;
    }
    if (!task.equals("convai2")) {
      return List.of();
    }
    Set<String> sets = new LinkedHashSet<>();
    for (TrainingDialogue d : data.dialogues()) {
      if (d.texts().isEmpty()) {
        continue;
      }
      List<String> lines = new ArrayList<>();
      for (String l : d.texts().get(0).split("\n")) {
        if (l.startsWith("your persona: ")) {
          lines.add(l.substring("your persona: ".length()).replace('|', ' ').strip());
        }
      }
      if (!lines.isEmpty()) {
        sets.add(String.join("|", lines));
      }
    }
    return new ArrayList<>(sets);
  }

  private static List<String> sample(List<String> items, int max, long seed) {
    if (max <= 0 || items.size() <= max) {
      return items;
    }
    List<String> copy = new ArrayList<>(items);
    Collections.shuffle(copy, new Random(seed));
    return copy.subList(0, max);
  }

  private static void write(Path file, List<String> lines) throws java.io.IOException {
    byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(file, o -> o.write(bytes));
  }
}
