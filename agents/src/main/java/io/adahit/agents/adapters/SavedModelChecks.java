package io.adahit.agents.adapters;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.adahit.agents.backbone.Backbone;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The checks shared by the saved forms of a model on a frozen backbone (a skill's {@link
 * AdapterFiles} and a router's directory): reading the JSON config, its format version, the
 * backbone it was trained on and the fingerprint of its weights. Each failure is an {@link
 * IOException} whose message names the file and the values found and expected.
 */
public final class SavedModelChecks {

  private SavedModelChecks() {}

  /** Parses a config file's JSON; may return null for an empty document. */
  @FunctionalInterface
  public interface JsonRead<T> {
    T read() throws IOException;
  }

  /**
   * Reads the JSON config {@code file} with {@code read}.
   *
   * @param missing the reason given when the file does not exist
   * @param describe the message for a mapping error (after the file name)
   * @throws NoSuchFileException if the file does not exist
   * @throws IOException if it is not valid JSON, does not map, or is empty
   */
  public static <T> T readJson(
      Path file, String missing, JsonRead<T> read, Function<JsonMappingException, String> describe)
      throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, missing);
    }
    T m;
    try {
      m = read.read();
    } catch (JsonMappingException e) {
      throw new IOException(file + ": " + describe.apply(e), e);
    } catch (JsonProcessingException e) {
      throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (m == null) {
      throw new IOException(file + ": empty, expected a JSON object");
    }
    return m;
  }

  /** Refuses a config of another format version than {@code expected}. */
  public static void checkFormatVersion(Path file, int found, int expected) throws IOException {
    if (found != expected) {
      throw new IOException(file + ": format_version must be " + expected + ", found " + found);
    }
  }

  /**
   * Refuses weights made for another backbone: another hidden size or fingerprint.
   *
   * @param who starts the message (the config file and the model's name, ending in a space)
   * @param hiddenSize the width the weights were made for
   * @param trainedOn the backbone the weights were trained on
   */
  public static void checkBackbone(
      String who, int hiddenSize, AdapterManifest.BackboneRef trainedOn, Backbone backbone)
      throws IOException {
    int d = backbone.config().hiddenSize();
    if (hiddenSize != d) {
      throw new IOException(
          who + "has hidden_size " + hiddenSize + ", backbone '" + backbone.name() + "' has " + d);
    }
    if (!trainedOn.fingerprint().equals(backbone.fingerprint())) {
      throw new IOException(
          who
              + "was trained on backbone '"
              + trainedOn.name()
              + "' with fingerprint "
              + trainedOn.fingerprint()
              + ", but this backbone '"
              + backbone.name()
              + "' has "
              + backbone.fingerprint());
    }
  }

  /**
   * Refuses a weights file whose fingerprint is not the one its config recorded.
   *
   * @param configFile the config file's name, for the message
   */
  public static void checkWeightsFingerprint(
      Path weightsFile, String found, String configFile, String expected) throws IOException {
    if (!found.equals(expected)) {
      throw new IOException(
          weightsFile
              + ": weights fingerprint is "
              + found
              + ", "
              + configFile
              + " expects "
              + expected
              + " (the two files come from different saves)");
    }
  }
}
