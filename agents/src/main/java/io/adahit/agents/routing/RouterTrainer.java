package io.adahit.agents.routing;

import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.backbone.Truncation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Trains a {@link SkillRouter}: embeds each skill's training contexts with the zero-shot backbone
 * (as the router will see them: L2-normalised, the context's end kept) and fits a multinomial
 * logistic regression over the skills, {@code p = softmax(W·e + b)}, by full-batch Adam on the
 * class-balanced cross-entropy plus L2 weight decay. Features are standardised per dimension while
 * fitting (the embeddings share a large common direction) and the standardisation is folded back
 * into W and b, so the saved router is one plain linear layer. Deterministic: no sampling.
 *
 * <pre>{@code
 * RouterTrainer t = new RouterTrainer(backbone, RouterTrainer.Options.defaults());
 * SkillRouter auto = t.train("auto", Map.of("convai2", c2Contexts, "empathetic_dialogues", edContexts), null);
 * RouterTrainer.Evaluation e = t.evaluate(auto, heldOut, null);   // e.accuracy(), e.accuracy("convai2")
 * auto.save(Path.of("skills/auto"), provenance);
 * }</pre>
 */
public final class RouterTrainer {

  /** Progress of embedding contexts: {@code done} of {@code total}. */
  @FunctionalInterface
  public interface Listener {
    void embedded(int done, int total);
  }

  /**
   * @param maxLength max context word pieces (the end is kept, as ParlAI truncates history)
   * @param epochs full-batch optimiser steps
   * @param learningRate Adam's step size (on standardised features)
   * @param weightDecay L2 penalty on W (standardised scale)
   * @param encodeBatchSize texts per backbone pass
   */
  public record Options(
      int maxLength, int epochs, double learningRate, double weightDecay, int encodeBatchSize) {
    public Options {
      require(maxLength >= 2, "max length must be >= 2, found " + maxLength);
      require(epochs >= 1, "epochs must be >= 1, found " + epochs);
      require(
          learningRate > 0 && Double.isFinite(learningRate),
          "learning rate must be > 0, found " + learningRate);
      require(
          weightDecay >= 0 && Double.isFinite(weightDecay),
          "weight decay must be >= 0, found " + weightDecay);
      require(encodeBatchSize >= 1, "encode batch size must be >= 1, found " + encodeBatchSize);
    }

    /**
     * 128 word pieces (as skill training), 300 epochs, learning rate 0.01, weight decay 1e-3,
     * batches of 32.
     */
    public static Options defaults() {
      return new Options(128, 300, 0.01, 1e-3, 32);
    }

    private static void require(boolean ok, String what) {
      if (!ok) {
        throw new IllegalArgumentException("router training: " + what);
      }
    }
  }

  /**
   * Routing results on labelled contexts.
   *
   * @param skills the router's skills, the order of both axes
   * @param confusion {@code confusion[true][predicted]} counts
   */
  public record Evaluation(List<String> skills, int[][] confusion) {

    /** Share of contexts routed to their own skill (NaN with none). */
    public double accuracy() {
      long right = 0;
      long all = 0;
      for (int t = 0; t < confusion.length; t++) {
        right += confusion[t][t];
        all += Arrays.stream(confusion[t]).sum();
      }
      return all == 0 ? Double.NaN : (double) right / all;
    }

    /** Share of {@code skill}'s contexts routed to it (NaN with none). */
    public double accuracy(String skill) {
      int t = skills.indexOf(skill);
      if (t < 0) {
        throw new IllegalArgumentException(
            "router evaluation: unknown skill '" + skill + "'; skills: " + skills);
      }
      int all = Arrays.stream(confusion[t]).sum();
      return all == 0 ? Double.NaN : (double) confusion[t][t] / all;
    }

    /** Mean of the per-skill accuracies over skills with contexts. */
    public double balancedAccuracy() {
      return skills.stream()
          .mapToDouble(this::accuracy)
          .filter(a -> !Double.isNaN(a))
          .average()
          .orElse(Double.NaN);
    }

    /** Number of contexts evaluated. */
    public long examples() {
      return Arrays.stream(confusion).mapToLong(r -> Arrays.stream(r).sum()).sum();
    }
  }

  private final Backbone backbone;
  private final Options options;

  public RouterTrainer(Backbone backbone, Options options) {
    this.backbone = backbone;
    this.options = options;
  }

  /**
   * Fits a router named {@code name} on {@code contextsBySkill} (skill → its training contexts; the
   * map's order becomes the router's skill order).
   *
   * @throws IllegalArgumentException with fewer than 2 skills or a skill without contexts
   */
  public SkillRouter train(
      String name, Map<String, List<String>> contextsBySkill, Listener listener) {
    List<String> skills = List.copyOf(contextsBySkill.keySet());
    if (skills.size() < 2) {
      throw new IllegalArgumentException(
          "router training: needs at least 2 skills to choose between, found " + skills);
    }
    List<String> texts = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int s = 0; s < skills.size(); s++) {
      List<String> c = contextsBySkill.get(skills.get(s));
      if (c.isEmpty()) {
        throw new IllegalArgumentException(
            "router training: skill '" + skills.get(s) + "' has no training contexts");
      }
      texts.addAll(c);
      for (int i = 0; i < c.size(); i++) {
        labels.add(s);
      }
    }
    float[][] x = embed(texts, listener);
    int[] y = labels.stream().mapToInt(i -> i).toArray();
    float[][] wb = fit(x, y, skills.size(), options);
    return new SkillRouter(
        backbone, name, skills, wb[0], wb[1], options.maxLength(), Truncation.KEEP_END);
  }

  /**
   * Routes every context of {@code contextsBySkill} (skill → contexts whose right answer is that
   * skill) and counts where they went.
   *
   * @throws IllegalArgumentException for a skill the router does not know
   */
  public Evaluation evaluate(
      SkillRouter router, Map<String, List<String>> contextsBySkill, Listener listener) {
    List<String> skills = router.skills();
    int[][] confusion = new int[skills.size()][skills.size()];
    int total = contextsBySkill.values().stream().mapToInt(List::size).sum();
    int done = 0;
    for (Map.Entry<String, List<String>> e : contextsBySkill.entrySet()) {
      int t = skills.indexOf(e.getKey());
      if (t < 0) {
        throw new IllegalArgumentException(
            "router evaluation: router '"
                + router.name()
                + "' does not route to '"
                + e.getKey()
                + "'; its skills: "
                + skills);
      }
      int offset = done;
      for (float[] row :
          embed(
              e.getValue(),
              listener == null ? null : (d, n) -> listener.embedded(offset + d, total))) {
        confusion[t][skills.indexOf(router.route(row).skill())]++;
      }
      done += e.getValue().size();
    }
    return new Evaluation(skills, confusion);
  }

  /** Zero-shot, normalised embeddings as the router reads them, in chunks for progress. */
  private float[][] embed(List<String> texts, Listener listener) {
    EncodeOptions o =
        new EncodeOptions(
            options.maxLength(), Truncation.KEEP_END, true, options.encodeBatchSize());
    float[][] out = new float[texts.size()][];
    int chunk = 16 * options.encodeBatchSize();
    for (int start = 0; start < texts.size(); start += chunk) {
      int end = Math.min(texts.size(), start + chunk);
      float[][] e = backbone.embed(texts.subList(start, end), o);
      System.arraycopy(e, 0, out, start, e.length);
      if (listener != null) {
        listener.embedded(end, texts.size());
      }
    }
    return out;
  }

  /**
   * Class-balanced softmax regression on {@code x} [n][d] with labels {@code y} in [0, classes):
   * standardise, full-batch Adam with weight decay, fold the standardisation back.
   *
   * @return {W [classes·d] row-major, b [classes]} acting on the raw features
   */
  static float[][] fit(float[][] x, int[] y, int classes, Options o) {
    int n = x.length;
    int d = x[0].length;
    double[] mean = new double[d];
    double[] std = new double[d];
    for (float[] row : x) {
      for (int j = 0; j < d; j++) {
        mean[j] += row[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    for (float[] row : x) {
      for (int j = 0; j < d; j++) {
        std[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
      }
    }
    for (int j = 0; j < d; j++) {
      std[j] = Math.max(Math.sqrt(std[j] / n), 1e-6);
    }
    float[][] z = new float[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        z[i][j] = (float) ((x[i][j] - mean[j]) / std[j]);
      }
    }
    int[] count = new int[classes];
    for (int label : y) {
      count[label]++;
    }
    double[] classWeight = new double[classes];
    for (int c = 0; c < classes; c++) {
      classWeight[c] = count[c] == 0 ? 0 : (double) n / (classes * count[c]);
    }
    double[] params = new double[classes * d + classes]; // V then c
    Adam adam = new Adam(params.length, o.learningRate());
    double[] grad = new double[params.length];
    double[] p = new double[classes];
    for (int epoch = 0; epoch < o.epochs(); epoch++) {
      Arrays.fill(grad, 0);
      for (int i = 0; i < n; i++) {
        softmax(params, z[i], classes, d, p);
        double w = classWeight[y[i]] / n;
        for (int c = 0; c < classes; c++) {
          double g = w * (p[c] - (c == y[i] ? 1 : 0));
          int row = c * d;
          for (int j = 0; j < d; j++) {
            grad[row + j] += g * z[i][j];
          }
          grad[classes * d + c] += g;
        }
      }
      for (int k = 0; k < classes * d; k++) {
        grad[k] += o.weightDecay() * params[k];
      }
      adam.step(params, grad);
    }
    float[] weight = new float[classes * d];
    float[] bias = new float[classes];
    for (int c = 0; c < classes; c++) {
      double b = params[classes * d + c];
      for (int j = 0; j < d; j++) {
        double v = params[c * d + j] / std[j];
        weight[c * d + j] = (float) v;
        b -= v * mean[j];
      }
      bias[c] = (float) b;
    }
    return new float[][] {weight, bias};
  }

  private static void softmax(double[] params, float[] z, int classes, int d, double[] out) {
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < classes; c++) {
      double s = params[classes * d + c];
      int row = c * d;
      for (int j = 0; j < d; j++) {
        s += params[row + j] * z[j];
      }
      out[c] = s;
      max = Math.max(max, s);
    }
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      out[c] = Math.exp(out[c] - max);
      sum += out[c];
    }
    for (int c = 0; c < classes; c++) {
      out[c] /= sum;
    }
  }

  /** Adam (Kingma and Ba 2015) on a flat parameter vector. */
  private static final class Adam {
    private final double[] m;
    private final double[] v;
    private final double lr;
    private int t;

    Adam(int size, double lr) {
      this.m = new double[size];
      this.v = new double[size];
      this.lr = lr;
    }

    void step(double[] params, double[] grad) {
      t++;
      double c1 = 1 - Math.pow(0.9, t);
      double c2 = 1 - Math.pow(0.999, t);
      for (int k = 0; k < params.length; k++) {
        m[k] = 0.9 * m[k] + 0.1 * grad[k];
        v[k] = 0.999 * v[k] + 0.001 * grad[k] * grad[k];
        params[k] -= lr * (m[k] / c1) / (Math.sqrt(v[k] / c2) + 1e-8);
      }
    }
  }
}
