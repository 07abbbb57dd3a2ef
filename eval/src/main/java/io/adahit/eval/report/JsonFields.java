package io.adahit.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of one JSON object's entries of a report file; a wrong type names the file and the
 * entry.
 */
final class JsonFields {
  final Path file;
  private final String where;
  private final JsonNode node;

  JsonFields(Path file, String where, JsonNode node) throws IOException {
    this.file = file;
    this.where = where;
    this.node = node;
    if (node != null && !node.isObject()) {
      throw new IOException(file + ": " + where + " must be an object, found " + node);
    }
  }

  private JsonNode get(String key) {
    JsonNode v = node == null ? null : node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  IOException wrong(String key, String what) {
    return new IOException(
        file
            + ": "
            + where
            + "."
            + key
            + " must be "
            + what
            + ", found "
            + (node == null ? null : node.get(key)));
  }

  String text(String key) throws IOException {
    JsonNode v = get(key);
    if (v != null && !v.isTextual()) {
      throw wrong(key, "a string");
    }
    return v == null ? null : v.asText();
  }

  Integer integer(String key) throws IOException {
    JsonNode v = get(key);
    if (v != null && !v.canConvertToInt()) {
      throw wrong(key, "a whole number");
    }
    return v == null ? null : v.asInt();
  }

  Long count(String key) throws IOException {
    JsonNode v = get(key);
    if (v != null && !(v.isIntegralNumber() && v.canConvertToLong())) {
      throw wrong(key, "a whole number");
    }
    return v == null ? null : v.asLong();
  }

  Double number(String key) throws IOException {
    JsonNode v = get(key);
    if (v != null && !v.isNumber()) {
      throw wrong(key, "a number");
    }
    return v == null ? null : v.asDouble();
  }

  Boolean bool(String key) throws IOException {
    JsonNode v = get(key);
    if (v != null && !v.isBoolean()) {
      throw wrong(key, "true or false");
    }
    return v == null ? null : v.asBoolean();
  }

  List<String> texts(String key) throws IOException {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (!v.isArray()) {
      throw wrong(key, "a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode x : v) {
      out.add(x.asText());
    }
    return out;
  }

  JsonNode object(String key) throws IOException {
    JsonNode v = get(key);
    if (v != null && !v.isObject()) {
      throw wrong(key, "an object");
    }
    return v;
  }
}
