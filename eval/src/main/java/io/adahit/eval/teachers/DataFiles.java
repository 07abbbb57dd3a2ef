package io.adahit.eval.teachers;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * File access shared by the readers (the teachers and the training corpus): UTF-8, transparent
 * {@code .gz}, errors that name the file and line.
 */
public final class DataFiles {

  private DataFiles() {}

  static void requireFile(String task, Path file) throws NoSuchFileException {
    if (!Files.isRegularFile(file)) {
      Path dir = file.toAbsolutePath().normalize().getParent();
      throw new NoSuchFileException(
          file.toString(),
          null,
          "task '"
              + task
              + "': data file "
              + file.getFileName()
              + " not found in folder "
              + dir
              + (Files.isDirectory(dir) ? "" : " (which does not exist)"));
    }
  }

  static InputStream open(Path file) throws IOException {
    InputStream in = Files.newInputStream(file);
    return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in) : in;
  }

  /**
   * Lines split as Python's universal-newline text mode does (\n, \r\n, \r), terminators removed.
   */
  public static List<String> readLines(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lines.add(line);
      }
    }
    return lines;
  }

  /** The whole file as text. */
  static String readString(Path file) throws IOException {
    try (InputStream in = open(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  public static JsonNode readJson(ObjectMapper mapper, Path file) throws IOException {
    try (InputStream in = open(file)) {
      return mapper.readTree(in);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new IOException(
          file
              + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
              + ": not valid JSON: "
              + e.getOriginalMessage(),
          e);
    }
  }

  /** One line of a JSON Lines file; a malformed line is an error naming the file and line. */
  public static JsonNode readJsonLine(ObjectMapper mapper, Path file, int lineNo, String line)
      throws IOException {
    try {
      return mapper.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IOException(where(file, lineNo) + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** A text field of a JSON object, or {@code def} when absent or null. */
  static String text(JsonNode node, String field, String def) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? def : v.asText();
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  public static String where(Path file, int lineNo) {
    return file + ":" + lineNo;
  }
}
