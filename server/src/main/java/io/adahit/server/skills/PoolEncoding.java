package io.adahit.server.skills;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.agents.adapters.AdapterSet;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.EncodeOptions;
import io.adahit.agents.ranker.CandidateIndex;
import io.adahit.agents.ranker.EmbeddingCache;
import io.adahit.agents.ranker.PoolPrecision;
import io.adahit.agents.ranker.TextEncoder;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The candidate pools one start loads, in two steps: {@link #add} counts, per pool, the candidates
 * the embedding cache lacks; {@link #announce} says, before anything is encoded, how many pools and
 * candidates a (first) start encodes now and how long that should take: at the rate the last
 * encoding into this cache folder ran ({@value #TIMINGS_FILE}), else at the rate of a first sample
 * of {@value #SAMPLE} candidates; {@link #encode} encodes each pool through the cache and {@link
 * #finish} records how long the encoding took, for the next first start.
 */
final class PoolEncoding {

  static final String TIMINGS_FILE = "encode-timings.json";
  static final int SAMPLE = 64;

  /** Candidates encoded per call to the cache (one progress step). */
  private static final int CHUNK = 256;

  private static final Logger LOG = LoggerFactory.getLogger(PoolEncoding.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One skill's pool: its texts, the cache its encodings go through and the texts that cache lacks.
   */
  record Pool(
      String name,
      List<String> texts,
      EncodeOptions options,
      EmbeddingCache cache,
      List<String> missing) {}

  private final Path cacheDir;
  private final PoolPrecision precision;
  private final List<Pool> pools = new ArrayList<>();
  private long encoded;
  private long encodeNanos;

  PoolEncoding(Path cacheDir, PoolPrecision precision) {
    this.cacheDir = cacheDir;
    this.precision = precision;
  }

  /**
   * Plans the pool of skill {@code name}: its cache and what the cache lacks (reads the cache
   * files).
   */
  Pool add(
      Backbone backbone,
      String name,
      AdapterSet adapters,
      List<String> texts,
      EncodeOptions options) {
    TextEncoder inner = adapters == null ? TextEncoder.of(backbone) : adapters::embed;
    EmbeddingCache cache =
        new EmbeddingCache(inner, SkillCatalog.encoderId(backbone, adapters), cacheDir);
    Pool p = new Pool(name, texts, options, cache, cache.missing(texts, options));
    pools.add(p);
    return p;
  }

  /**
   * Tells {@code progress} the plan and, when candidates must be encoded, logs how many and how
   * long.
   */
  void announce(LoadProgress progress) {
    progress.planned(pools.size(), pools.stream().mapToLong(p -> p.texts().size()).sum());
    List<Pool> todo = pools.stream().filter(p -> !p.missing().isEmpty()).toList();
    if (todo.isEmpty()) {
      LOG.info(
          "all {} candidate pools are in the cache {}: nothing to encode", pools.size(), cacheDir);
      return;
    }
    long missing = todo.stream().mapToLong(p -> p.missing().size()).sum();
    String names = String.join(", ", todo.stream().map(Pool::name).toList());
    LOG.info(
        "first start with these skills or adapters: {} candidates of {} ({}) are not in the cache {} and are"
            + " encoded now, once (later starts read them from the cache)",
        missing,
        todo.size() == 1 ? "1 pool" : todo.size() + " pools",
        names,
        cacheDir.toAbsolutePath().normalize());
    JsonNode last = lastTimings();
    double rate;
    if (last != null) {
      rate = last.path("candidates_per_second").asDouble();
      LOG.info(
          "the last encoding into this cache ran at {} candidates/s ({} candidates in {} s, {}): expect about {}",
          String.format(Locale.ROOT, "%.1f", rate),
          last.path("candidates").asLong(),
          String.format(Locale.ROOT, "%.1f", last.path("seconds").asDouble()),
          last.path("finished").asText(),
          duration(missing / rate));
    } else {
      Pool first = todo.get(0);
      List<String> sample = first.missing().subList(0, Math.min(SAMPLE, first.missing().size()));
      long began = System.nanoTime();
      first.cache().encode(sample, first.options()); // cached: the pool does not encode them again
      long nanos = System.nanoTime() - began;
      encoded += sample.size();
      encodeNanos += nanos;
      rate = sample.size() / Math.max(1e-9, nanos / 1e9);
      LOG.info(
          "no encoding time recorded in {} yet; the first {} candidates took {} s: expect about {} (a rough"
              + " estimate: the first batches also warm the model up)",
          TIMINGS_FILE,
          sample.size(),
          String.format(Locale.ROOT, "%.1f", nanos / 1e9),
          duration((missing - sample.size()) / rate));
    }
  }

  /** Encodes {@code p} through its cache, {@link #CHUNK} candidates per progress step. */
  CandidateIndex encode(Backbone backbone, Pool p, LoadProgress progress) {
    long began = System.nanoTime();
    long missesBefore = p.cache().misses();
    CandidateIndex pool =
        encode(backbone, p.name(), p.texts(), p.options(), p.cache(), precision, progress);
    long fresh = p.cache().misses() - missesBefore;
    if (fresh > 0) {
      encoded += fresh;
      encodeNanos += System.nanoTime() - began;
    }
    return pool;
  }

  /** Encodes {@code texts} through {@code cache} into a pool, reporting to {@code progress}. */
  static CandidateIndex encode(
      Backbone backbone,
      String name,
      List<String> texts,
      EncodeOptions options,
      EmbeddingCache cache,
      PoolPrecision precision,
      LoadProgress progress) {
    float[][] out = new float[texts.size()][];
    try (LoadProgress.Task task = progress.start("skill " + name, texts.size())) {
      for (int start = 0; start < texts.size(); start += CHUNK) {
        int end = Math.min(texts.size(), start + CHUNK);
        float[][] part = cache.encode(texts.subList(start, end), options);
        System.arraycopy(part, 0, out, start, part.length);
        task.step(end - start);
      }
    }
    if (cache.misses() == 0) {
      LOG.info("skill '{}': all {} candidate encodings read from the cache", name, texts.size());
    }
    return new CandidateIndex(texts, out, backbone.newManager(), precision);
  }

  /**
   * Records how long this start's encoding took ({@value #TIMINGS_FILE}), if it encoded anything.
   */
  void finish() {
    if (encoded == 0) {
      return;
    }
    double seconds = encodeNanos / 1e9;
    ObjectNode n = JSON.createObjectNode();
    n.put("candidates", encoded);
    n.put("seconds", Math.round(seconds * 10) / 10.0);
    n.put("candidates_per_second", Math.round(encoded / Math.max(1e-9, seconds) * 10) / 10.0);
    n.put("finished", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    LOG.info(
        "encoded {} candidates in {} s; later starts read them from the cache",
        encoded,
        String.format(Locale.ROOT, "%.1f", seconds));
    try {
      Files.createDirectories(cacheDir);
      Path tmp = Files.createTempFile(cacheDir, TIMINGS_FILE, ".tmp");
      Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
      try {
        Files.move(
            tmp,
            cacheDir.resolve(TIMINGS_FILE),
            StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, cacheDir.resolve(TIMINGS_FILE), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      LOG.warn(
          "encoding time not recorded in {}: {}", cacheDir.resolve(TIMINGS_FILE), e.toString());
    }
  }

  /** The last start's record, or null if there is none or it cannot be read. */
  private JsonNode lastTimings() {
    Path f = cacheDir.resolve(TIMINGS_FILE);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(f.toFile());
      return n != null && n.path("candidates_per_second").asDouble() > 0 ? n : null;
    } catch (IOException e) {
      LOG.warn("{} unreadable, ignored: {}", f, e.toString());
      return null;
    }
  }

  /** "40 s", "3 min", "1 h 5 min". */
  static String duration(double seconds) {
    Duration d = Duration.ofSeconds(Math.max(1, Math.round(seconds)));
    if (d.toMinutes() == 0) {
      return d.toSeconds() + " s";
    }
    if (d.toHours() == 0) {
      return Math.round(seconds / 60) + " min";
    }
    return d.toHours() + " h " + d.toMinutesPart() + " min";
  }
}
