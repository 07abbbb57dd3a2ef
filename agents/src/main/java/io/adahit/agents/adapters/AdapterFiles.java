package io.adahit.agents.adapters;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.adahit.agents.backbone.AtomicFiles;
import io.adahit.agents.backbone.Backbone;
import io.adahit.agents.backbone.FloatTensor;
import io.adahit.agents.backbone.Safetensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A skill's directory: {@code adapter_config.json} ({@link AdapterManifest}) and {@code
 * adapter.safetensors} (the weights, AdapterHub tensor names, see {@link AdapterSet}). Both files
 * are written atomically (temporary file, fsync, move). Loading checks everything and refuses, with
 * the file, the field or tensor, and the values found and expected: an unknown kind or bad field, a
 * truncated or corrupt weights file, missing, extra or mis-shaped tensors, weights from another
 * save, another backbone, another base adapter, or (for a fusion skill) other fused adapters than
 * it was trained with.
 *
 * <pre>{@code
 * AdapterFiles.save(bst, skills.resolve("bst"), provenance);
 * AdapterSet base = AdapterFiles.load(skills.resolve("base"), backbone, null);
 * AdapterSet hit = AdapterFiles.load(skills.resolve("bst_hit"), backbone, base);   // frozen
 * }</pre>
 */
public final class AdapterFiles {

  public static final String CONFIG_FILE = "adapter_config.json";
  public static final String WEIGHTS_FILE = "adapter.safetensors";
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private AdapterFiles() {}

  /**
   * Writes {@code set}'s current weights and manifest into {@code dir} (created if missing),
   * replacing what was there.
   *
   * @return the manifest written
   */
  public static AdapterManifest save(AdapterSet set, Path dir, Provenance provenance)
      throws IOException {
    List<FloatTensor> tensors = set.tensors();
    String fingerprint = weightsFingerprint(tensors);
    Backbone backbone = set.backbone();
    AdapterManifest.BaseRef base =
        set.base()
            .map(b -> new AdapterManifest.BaseRef(b.skill(), b.weightsFingerprint()))
            .orElse(null);
    List<AdapterManifest.FusedRef> fused =
        set.fused().stream()
            .map(f -> new AdapterManifest.FusedRef(f.skill(), f.weightsFingerprint()))
            .toList();
    AdapterManifest manifest =
        new AdapterManifest(
            FORMAT_VERSION,
            set.config(),
            backbone.config().hiddenSize(),
            new AdapterManifest.BackboneRef(backbone.name(), backbone.fingerprint()),
            set.parameterCount(),
            fingerprint,
            base,
            fused,
            provenance);
    Files.createDirectories(dir);
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt");
    metadata.put("skill", set.skill());
    metadata.put("kind", set.kind().fileName());
    metadata.put("weights_fingerprint", fingerprint);
    // weights first: a crash between the two leaves a fingerprint mismatch that load refuses
    Safetensors.write(dir.resolve(WEIGHTS_FILE), tensors, metadata);
    writeManifest(dir, manifest);
    return manifest;
  }

  /** Atomically replaces {@code dir}'s adapter_config.json (e.g. to fill in provenance). */
  public static void writeManifest(Path dir, AdapterManifest manifest) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(manifest);
    AtomicFiles.write(dir.resolve(CONFIG_FILE), out -> out.write(bytes));
  }

  /** Reads and validates {@code dir}'s adapter_config.json on its own (no backbone needed). */
  public static AdapterManifest readManifest(Path dir) throws IOException {
    Path file = dir.resolve(CONFIG_FILE);
    AdapterManifest m =
        SavedModelChecks.readJson(
            file,
            "adapter config not found",
            () -> {
              JsonNode tree = JSON.readTree(file.toFile());
              if (tree instanceof ObjectNode o && !o.has("fused")) {
                o.putArray("fused"); // written only by kind fusion; older files have none
              }
              return tree == null || tree.isMissingNode()
                  ? null
                  : JSON.treeToValue(tree, AdapterManifest.class);
            },
            AdapterFiles::describe);
    SavedModelChecks.checkFormatVersion(file, m.formatVersion(), FORMAT_VERSION);
    return m;
  }

  /**
   * Loads a skill directory onto {@code backbone}, frozen (call {@link AdapterSet#setTrainable} to
   * train further).
   *
   * @param base the loaded base set of a hierarchical skill; null for the other kinds
   * @throws IOException if a file is missing, corrupt, or does not fit the backbone or the base
   */
  public static AdapterSet load(Path dir, Backbone backbone, AdapterSet base) throws IOException {
    return load(dir, backbone, base, List.of());
  }

  /**
   * Loads a skill directory onto {@code backbone}, frozen; a fusion skill with the adapters it
   * fuses.
   *
   * @param fused the loaded adapters of a fusion skill, in the order its manifest lists them (same
   *     names, same weights fingerprints); empty for the other kinds
   * @throws IOException if a file is missing, corrupt, or does not fit the backbone, the base or
   *     the fused adapters
   */
  public static AdapterSet load(
      Path dir, Backbone backbone, AdapterSet base, List<AdapterSet> fused) throws IOException {
    AdapterManifest m = readManifest(dir);
    Path configFile = dir.resolve(CONFIG_FILE);
    String who = configFile + ": adapter '" + m.config().skill() + "' ";
    SavedModelChecks.checkBackbone(who, m.hiddenSize(), m.backbone(), backbone);
    int d = backbone.config().hiddenSize();
    checkBase(who, m, base);
    checkFused(who, m, fused);
    try {
      AdapterSet.checkCompatible(backbone, m.config(), base, fused);
    } catch (IllegalArgumentException e) {
      throw new IOException(configFile + ": " + e.getMessage(), e);
    }
    Path weightsFile = dir.resolve(WEIGHTS_FILE);
    Map<String, FloatTensor> tensors = Safetensors.read(weightsFile).tensors();
    checkTensors(weightsFile, AdapterLayout.shapes(m.config(), d), tensors);
    long count = tensors.values().stream().mapToLong(FloatTensor::size).sum();
    if (count != m.parameterCount()) {
      throw new IOException(
          weightsFile
              + ": holds "
              + count
              + " parameters, "
              + CONFIG_FILE
              + " says parameter_count "
              + m.parameterCount());
    }
    String fingerprint = weightsFingerprint(tensors.values());
    SavedModelChecks.checkWeightsFingerprint(
        weightsFile, fingerprint, CONFIG_FILE, m.weightsFingerprint());
    return AdapterSet.fromTensors(backbone, m.config(), tensors, base, fused);
  }

  private static void checkFused(String who, AdapterManifest m, List<AdapterSet> fused)
      throws IOException {
    List<String> expected = m.fused().stream().map(AdapterManifest.FusedRef::skill).toList();
    List<String> given = fused.stream().map(AdapterSet::skill).toList();
    if (!expected.equals(given)) {
      throw new IOException(
          who
              + (expected.isEmpty()
                  ? "is of kind "
                      + m.config().kind().fileName()
                      + " and fuses no adapters, found "
                      + given
                  : "fuses adapters " + expected + ", found " + given));
    }
    for (int i = 0; i < expected.size(); i++) {
      AdapterManifest.FusedRef ref = m.fused().get(i);
      String found = fused.get(i).weightsFingerprint();
      if (!ref.fingerprint().equals(found)) {
        throw new IOException(
            who
                + "was trained on fused adapter '"
                + ref.skill()
                + "' with fingerprint "
                + ref.fingerprint()
                + ", but the adapter given has "
                + found
                + " (retrained since? train the fusion again on the current adapters)");
      }
    }
  }

  private static void checkBase(String who, AdapterManifest m, AdapterSet base) throws IOException {
    AdapterManifest.BaseRef ref = m.base();
    if (ref == null) {
      if (base != null) {
        throw new IOException(
            who
                + "is of kind "
                + m.config().kind().fileName()
                + " and takes no base adapter, found '"
                + base.skill()
                + "'");
      }
      return;
    }
    if (base == null) {
      throw new IOException(
          who
              + "stacks on base adapter '"
              + ref.skill()
              + "' ("
              + ref.fingerprint()
              + "), found none given");
    }
    if (!ref.skill().equals(base.skill())) {
      throw new IOException(
          who + "stacks on base adapter '" + ref.skill() + "', found '" + base.skill() + "'");
    }
    String found = base.weightsFingerprint();
    if (!ref.fingerprint().equals(found)) {
      throw new IOException(
          who
              + "was trained on base adapter '"
              + ref.skill()
              + "' with fingerprint "
              + ref.fingerprint()
              + ", but the base given has "
              + found);
    }
  }

  private static void checkTensors(
      Path file, Map<String, long[]> expected, Map<String, FloatTensor> found) throws IOException {
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      FloatTensor t = found.get(e.getKey());
      if (t == null) {
        throw new IOException(
            file
                + ": tensor '"
                + e.getKey()
                + "' is missing (expected shape "
                + Arrays.toString(e.getValue())
                + ")");
      }
      if (!Arrays.equals(t.shape(), e.getValue())) {
        throw new IOException(
            file
                + ": tensor '"
                + e.getKey()
                + "' has shape "
                + Arrays.toString(t.shape())
                + ", expected "
                + Arrays.toString(e.getValue()));
      }
      float[] v = t.data();
      for (int i = 0; i < v.length; i++) {
        if (!Float.isFinite(v[i])) {
          throw new IOException(
              file
                  + ": tensor '"
                  + e.getKey()
                  + "' must hold finite values, found "
                  + v[i]
                  + " at index "
                  + i);
        }
      }
    }
    for (String name : found.keySet()) {
      if (!expected.containsKey(name)) {
        throw new IOException(
            file + ": unexpected tensor '" + name + "' (not part of this adapter's config)");
      }
    }
  }

  /**
   * SHA-256 over names, shapes and float bits of the tensors, in name order ({@code
   * "sha256:<hex>"}), like {@code BertWeights.fingerprint()}: independent of file layout and
   * metadata. A hierarchical skill records its base's to refuse any other base.
   */
  public static String weightsFingerprint(Collection<FloatTensor> tensors) {
    return FloatTensor.fingerprint(tensors);
  }

  /** Lowercase hex SHA-256 of a file's bytes (for {@link Provenance.TrainingFile}). */
  public static String sha256(Path file) throws IOException {
    MessageDigest md = sha256Digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int r; (r = in.read(buf)) > 0; ) {
        md.update(buf, 0, r);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** "field 'config.kind' must be one of [...], found "foo"" and the like, from Jackson's error. */
  private static String describe(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        path.append('[').append(r.getIndex()).append(']');
      }
    }
    Throwable cause = e.getCause();
    if (cause instanceof IllegalArgumentException) {
      return cause.getMessage();
    }
    if (e instanceof InvalidFormatException f
        && f.getTargetType() != null
        && f.getTargetType().isEnum()) {
      return "field '"
          + path
          + "' must be one of "
          + enumNames(f.getTargetType())
          + ", found \""
          + f.getValue()
          + "\"";
    }
    String original = String.valueOf(e.getOriginalMessage());
    if (original.startsWith("Missing creator property")
        || original.startsWith("Missing required creator property")) {
      return "field '" + path + "' is required, found none";
    }
    return (path.length() == 0 ? "" : "field '" + path + "': ") + original;
  }

  private static List<String> enumNames(Class<?> type) {
    List<String> names = new ArrayList<>();
    for (Object c : type.getEnumConstants()) {
      String name = ((Enum<?>) c).name();
      try {
        JsonProperty p = type.getField(name).getAnnotation(JsonProperty.class);
        names.add(p == null ? name : p.value());
      } catch (NoSuchFieldException ex) {
        names.add(name);
      }
    }
    return names;
  }
}
