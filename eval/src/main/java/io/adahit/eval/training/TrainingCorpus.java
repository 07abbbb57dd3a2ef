package io.adahit.eval.training;

import io.adahit.agents.adapters.AdapterFiles;
import io.adahit.agents.adapters.Provenance;
import io.adahit.agents.training.TrainingPair;
import io.adahit.agents.training.TrainingTask;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Which files each skill trains on, and how they become a {@link TrainingTask}: the table "What to
 * use for what" of ../shared/data/README.md, never an evaluation split. A seeded shuffle of whole
 * dialogues puts a held-out slice aside for validation, so no conversation is split between
 * training and validation.
 *
 * <pre>{@code
 * TrainingCorpus corpus = TrainingCorpus.builtIn();
 * TrainingCorpus.SkillData d = corpus.load("convai2", Path.of("../shared/data"));
 * TrainingTask task = d.task(500, 20_000, 0);   // 500 held-out pairs, at most 20k training pairs
 * }</pre>
 */
public final class TrainingCorpus {

  /** One training file of a skill and its reader. */
  record Source(String path, TrainingSources.Reader reader) {}

  /**
   * A skill's dialogues.
   *
   * @param files the files read, in order
   * @param trainingFiles the same files as the adapter's provenance lists them: relative to the
   *     data folder, with their SHA-256
   */
  public record SkillData(
      String skill,
      List<Path> files,
      List<Provenance.TrainingFile> trainingFiles,
      List<TrainingDialogue> dialogues) {

    /** Number of (context, reply) pairs over all dialogues. */
    public int pairCount() {
      return dialogues.stream().mapToInt(d -> d.replies().size()).sum();
    }

    /**
     * Splits by dialogue: a seeded shuffle, then whole dialogues into the held-out slice until it
     * has {@code validPairs} pairs, the rest into training (at most {@code maxTrainPairs}, whole
     * dialogues first, ≤ 0 for all).
     */
    public TrainingTask task(int validPairs, int maxTrainPairs, long seed) {
      List<TrainingDialogue> order = new ArrayList<>(dialogues);
      Collections.shuffle(order, new Random(seed * 31 + skill.hashCode()));
      List<TrainingPair> valid = new ArrayList<>();
      List<TrainingPair> train = new ArrayList<>();
      for (TrainingDialogue d : order) {
        if (valid.size() < validPairs) {
          valid.addAll(d.pairs());
        } else if (maxTrainPairs <= 0 || train.size() < maxTrainPairs) {
          List<TrainingPair> p = d.pairs();
          int room =
              maxTrainPairs <= 0 ? p.size() : Math.min(p.size(), maxTrainPairs - train.size());
          train.addAll(p.subList(0, room));
        }
      }
      return new TrainingTask(skill, train, valid, trainingFiles);
    }
  }

  private final Map<String, List<Source>> skills;

  private TrainingCorpus(Map<String, List<Source>> skills) {
    this.skills = skills;
  }

  /** The four skills' training files in ../shared/data. */
  public static TrainingCorpus builtIn() {
    Map<String, List<Source>> m = new LinkedHashMap<>();
    m.put(
        "convai2",
        List.of(
            new Source("convai2/personachat_test_original.json", TrainingSources::personaChat),
            new Source("convai2/fsb_persona_1000.json", TrainingSources::fsbPersona),
            new Source("msc/personasummary_session_1_test.jsonl", TrainingSources::mscSession1),
            new Source("msc/dialogue_session_2_test.jsonl", TrainingSources::mscDialogue),
            new Source("msc/dialogue_session_3_test.jsonl", TrainingSources::mscDialogue),
            new Source("msc/fsb_session_4_test.json", TrainingSources::fsbPersona),
            new Source("msc/fsb_session_5_test.json", TrainingSources::fsbPersona)));
    m.put(
        "wizard_of_wikipedia",
        List.of(
            new Source("wow/fsb_wow_test_random_split.json", TrainingSources::fsbWow),
            new Source("wow/kilt_wow_dev.jsonl", TrainingSources::kiltWow)));
    m.put(
        "empathetic_dialogues",
        List.of(new Source("ed/train.jsonl.gz", TrainingSources::empathetic)));
    m.put(
        "blended_skill_talk",
        List.of(new Source("bst/train_turns.csv", TrainingSources::bstTurns)));
    return new TrainingCorpus(Collections.unmodifiableMap(m));
  }

  /** Skills with training data, in table order. */
  public List<String> skills() {
    return List.copyOf(skills.keySet());
  }

  /** The training files of {@code skill}, relative to the data folder. */
  public List<String> files(String skill) {
    return sources(skill).stream().map(Source::path).toList();
  }

  /**
   * Reads every training file of {@code skill} under {@code datapath}.
   *
   * @throws IllegalArgumentException for an unknown skill (the message lists the known ones)
   * @throws IOException naming the file that is missing or malformed
   */
  public SkillData load(String skill, Path datapath) throws IOException {
    TrainingSources readers = new TrainingSources();
    List<Path> files = new ArrayList<>();
    List<Provenance.TrainingFile> hashed = new ArrayList<>();
    List<TrainingDialogue> dialogues = new ArrayList<>();
    for (Source s : sources(skill)) {
      Path file = datapath.resolve(s.path());
      files.add(file);
      dialogues.addAll(s.reader().read(readers, file, s.path()));
      hashed.add(new Provenance.TrainingFile(s.path(), AdapterFiles.sha256(file)));
    }
    return new SkillData(skill, files, hashed, dialogues);
  }

  private List<Source> sources(String skill) {
    List<Source> s = skills.get(skill);
    if (s == null) {
      throw new IllegalArgumentException(
          "training: no training data for skill '"
              + skill
              + "'; skills with training data: "
              + skills.keySet());
    }
    return s;
  }
}
