package io.mirador.agent.exec.parse;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A JSON document, in one of two shapes.
 *
 * <p>An object of numbers: every number is a sample named by its path of keys, nested objects flattened with dots
 * ({@code {"a":{"b":1}}} gives {@code a.b}) and arrays by index ({@code {"a":[5,6]}} gives {@code a.0}, {@code a.1});
 * each key is cleaned by {@link MetricNames#name}, so {@code {"Disk Usage":{"/var":3}}} gives {@code disk_usage.var}.
 * {@code true}/{@code false} give 1/0; strings and nulls are skipped without error. Nesting deeper than
 * {@value #MAX_DEPTH} levels is an error for that branch.
 *
 * <p>An array of sample objects {@code {"name":…, "value":…, "tags":{…}, "ts":…}}, or the same array under the key
 * {@code samples} of a top-level object (Mirador's own metrics body): {@code name} is a string (cleaned),
 * {@code value} a number or boolean, {@code tags} an optional object of scalar values, {@code ts} an optional epoch
 * time, in seconds when below 10^10 and in ms otherwise (so both {@code date +%s} and ms work); none means now.
 * Other keys are ignored. An element that is not such an object is an error; the others still count.
 *
 * <p>JSON is a document, not lines: line numbers in errors are where the offending value starts, a syntax error
 * ends the parse (samples read before it are kept), and instead of the per-line bound the whole document may hold
 * at most {@value #MAX_DOCUMENT_LENGTH} characters.
 */
public final class JsonParser implements OutputParser {

  public static final int MAX_DOCUMENT_LENGTH = 4 * 1024 * 1024;
  static final int MAX_DEPTH = 32;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Override
  public Parsed parse(String output, int exitCode, long now, String checkName) {
    ParseSink sink = new ParseSink(now);
    if (output == null || output.isBlank()) {
      return sink.metrics();
    }
    if (output.length() > MAX_DOCUMENT_LENGTH) {
      sink.error(1, "", "JSON document longer than " + MAX_DOCUMENT_LENGTH + " characters");
      return sink.metrics();
    }
    try (com.fasterxml.jackson.core.JsonParser json = MAPPER.getFactory().createParser(output)) {
      Walk walk = new Walk(json, sink, output);
      JsonToken first = json.nextToken();
      if (first == JsonToken.START_OBJECT) {
        walk.object("", 1);
      } else if (first == JsonToken.START_ARRAY) {
        walk.sampleArray();
      } else {
        walk.error(walk.line(), "expected a JSON object or array");
        return sink.metrics();
      }
      if (json.nextToken() != null) {
        walk.error(walk.line(), "text after the JSON document");
      }
    } catch (JsonProcessingException malformed) {
      JsonLocation at = malformed.getLocation();
      int line = at == null ? 1 : Math.max(1, at.getLineNr());
      sink.error(line, Lines.line(output, line), "malformed JSON: " + malformed.getOriginalMessage());
    } catch (IOException | RuntimeException | StackOverflowError unexpected) {
      sink.error(1, "", "unreadable JSON: " + unexpected);
    }
    return sink.metrics();
  }

  /** One walk over the document's tokens. */
  private static final class Walk {
    private final com.fasterxml.jackson.core.JsonParser json;
    private final ParseSink sink;
    private final String output;
    private int[] lineStarts;

    Walk(com.fasterxml.jackson.core.JsonParser json, ParseSink sink, String output) {
      this.json = json;
      this.sink = sink;
      this.output = output;
    }

    int line() {
      return Math.max(1, json.currentTokenLocation().getLineNr());
    }

    void error(int line, String reason) {
      sink.error(line, text(line), reason);
    }

    /** The document's line {@code line}, for an error; line starts are found once, on the first error. */
    String text(int line) {
      if (sink.errorsFull()) {
        return "";
      }
      if (lineStarts == null) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = output.indexOf('\n'); i >= 0; i = output.indexOf('\n', i + 1)) {
          starts.add(i + 1);
        }
        lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
      }
      if (line < 1 || line > lineStarts.length) {
        return "";
      }
      int start = lineStarts[line - 1];
      int end = line < lineStarts.length ? lineStarts[line] - 1 : output.length();
      return output.substring(start, Math.min(end, start + LineError.MAX_TEXT + 1)).stripTrailing();
    }

    /** The current token opens an object whose numbers are named under {@code prefix}. */
    void object(String prefix, int depth) throws IOException {
      JsonToken token;
      while ((token = json.nextToken()) == JsonToken.FIELD_NAME) {
        String key = json.currentName();
        JsonToken value = json.nextToken();
        if (depth == 1 && key.equals("samples") && value == JsonToken.START_ARRAY) {
          sampleArray();
          continue;
        }
        String name = MetricNames.name(key);
        if (name.isEmpty()) {
          error(line(), "key '" + LineError.cut(key) + "' has no usable character");
          json.skipChildren();
          continue;
        }
        value(value, MetricNames.join(prefix, name), depth);
      }
      if (token != JsonToken.END_OBJECT) {
        throw new IOException("unexpected " + token + " in an object");
      }
    }

    private void value(JsonToken token, String name, int depth) throws IOException {
      switch (token) {
        case START_OBJECT, START_ARRAY -> {
          if (depth >= MAX_DEPTH) {
            error(line(), "nested deeper than " + MAX_DEPTH + " levels, skipped");
            json.skipChildren();
          } else if (token == JsonToken.START_OBJECT) {
            object(name, depth + 1);
          } else {
            int index = 0;
            JsonToken element;
            while ((element = json.nextToken()) != JsonToken.END_ARRAY && element != null) {
              value(element, MetricNames.join(name, Integer.toString(index++)), depth + 1);
            }
          }
        }
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> sample(line(), name, name, null, json.getDoubleValue(), sink.now());
        case VALUE_TRUE -> sample(line(), name, name, null, 1, sink.now());
        case VALUE_FALSE -> sample(line(), name, name, null, 0, sink.now());
        default -> {
          // strings and nulls are not measurements
        }
      }
    }

    /** The current token opens an array of sample objects. */
    void sampleArray() throws IOException {
      JsonToken token;
      while ((token = json.nextToken()) != JsonToken.END_ARRAY && token != null) {
        int line = line();
        if (token != JsonToken.START_OBJECT) {
          error(line, "array element is not a sample object");
          json.skipChildren();
          continue;
        }
        sampleObject(MAPPER.readTree(json), line);
      }
    }

    private void sampleObject(JsonNode node, int line) {
      JsonNode nameNode = node.get("name");
      if (nameNode == null || !nameNode.isTextual()) {
        error(line, "sample has no string name");
        return;
      }
      String foreignName = nameNode.textValue();
      JsonNode valueNode = node.get("value");
      double value;
      if (valueNode != null && valueNode.isNumber()) {
        value = valueNode.doubleValue();
      } else if (valueNode != null && valueNode.isBoolean()) {
        value = valueNode.booleanValue() ? 1 : 0;
      } else {
        error(line, "sample '" + LineError.cut(foreignName) + "' has no numeric value");
        return;
      }
      long ts = sink.now();
      JsonNode tsNode = node.get("ts");
      if (tsNode != null && !tsNode.isNull()) {
        ts = tsNode.isNumber() ? Values.millisFromSecondsOrMillis(tsNode.doubleValue()) : -1;
        if (ts < 0) {
          error(line, "sample '" + LineError.cut(foreignName) + "' has a ts that is no epoch seconds or ms");
          return;
        }
      }
      Tags tags = new Tags();
      JsonNode tagsNode = node.get("tags");
      if (tagsNode != null && !tagsNode.isNull()) {
        if (!tagsNode.isObject()) {
          error(line, "sample '" + LineError.cut(foreignName) + "' has tags that are not an object");
          return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = tagsNode.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> tag = it.next();
          if (tag.getValue().isValueNode() && !tag.getValue().isNull()) {
            tags.put(tag.getKey(), tag.getValue().asText());
          } else if (!tag.getValue().isNull()) {
            error(line, "tag '" + LineError.cut(tag.getKey()) + "' of sample '" + LineError.cut(foreignName) + "' is not a scalar, left out");
          }
        }
      }
      sample(line, MetricNames.name(foreignName), foreignName, tags, value, ts);
    }

    private void sample(int line, String name, String foreignName, Tags tags, double value, long ts) {
      sink.sample(line, () -> text(line), name, foreignName, tags, value, ts);
    }
  }
}
