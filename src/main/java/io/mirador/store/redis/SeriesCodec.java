package io.mirador.store.redis;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How series and points are written as Redis strings.
 *
 * <p>A series is named by a field {@code metric{k1=v1,k2=v2}} with its tags sorted by key ({@code metric} alone
 * when it has none). Metric names and tag keys cannot hold {@code { } , = \}; in tag values {@code \ , }} are
 * escaped with a backslash, so every field decodes back to its metric and tags.
 *
 * <p>A point in a bucket is {@code offset,value;}: the milliseconds since the bucket's start and the value in its
 * shortest decimal form (an integral value without {@code .0}), about 10 bytes where a zset entry costs ~60.
 */
final class SeriesCodec {

  /** A series field decoded; tags in key order. */
  record Series(String metric, Map<String, String> tags) {
  }

  interface PointVisitor {
    void visit(long ts, double value);
  }

  private SeriesCodec() {
  }

  static String field(String metric, Map<String, String> tags) {
    if (tags.isEmpty()) {
      return metric;
    }
    StringBuilder field = new StringBuilder(metric.length() + 16 * tags.size()).append(metric).append('{');
    if (tags.size() == 1) {
      Map.Entry<String, String> tag = tags.entrySet().iterator().next();
      appendTag(field, tag.getKey(), tag.getValue());
    } else {
      String[] keys = tags.keySet().toArray(new String[0]);
      Arrays.sort(keys);
      for (int i = 0; i < keys.length; i++) {
        if (i > 0) {
          field.append(',');
        }
        appendTag(field, keys[i], tags.get(keys[i]));
      }
    }
    return field.append('}').toString();
  }

  static Series parse(String field) {
    int open = field.indexOf('{');
    if (open < 0) {
      return new Series(field, Map.of());
    }
    Map<String, String> tags = new LinkedHashMap<>();
    StringBuilder token = new StringBuilder();
    String key = null;
    for (int i = open + 1; i < field.length() - 1; i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 1 < field.length() - 1) {
        token.append(field.charAt(++i));
      } else if (c == '=' && key == null) {
        key = token.toString();
        token.setLength(0);
      } else if (c == ',') {
        tags.put(key, token.toString());
        key = null;
        token.setLength(0);
      } else {
        token.append(c);
      }
    }
    if (key != null) {
      tags.put(key, token.toString());
    }
    return new Series(field.substring(0, open), Collections.unmodifiableMap(tags));
  }

  static void appendPoint(StringBuilder payload, long offset, double value) {
    payload.append(offset).append(',');
    appendValue(payload, value);
    payload.append(';');
  }

  static void appendValue(StringBuilder out, double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      out.append((long) value);
    } else {
      out.append(value);
    }
  }

  static String value(double value) {
    StringBuilder out = new StringBuilder(24);
    appendValue(out, value);
    return out.toString();
  }

  /** Visits the points of one bucket's payload in the order they were appended. */
  static void forEachPoint(String payload, long bucketStart, PointVisitor visitor) {
    int at = 0;
    int length = payload.length();
    while (at < length) {
      int comma = payload.indexOf(',', at);
      int end = payload.indexOf(';', comma);
      if (comma < 0 || end < 0) {
        return; // a torn tail cannot happen (APPEND is atomic), but never let it throw
      }
      long offset = Long.parseLong(payload, at, comma, 10);
      double value = Double.parseDouble(payload.substring(comma + 1, end));
      visitor.visit(bucketStart + offset, value);
      at = end + 1;
    }
  }

  private static void appendTag(StringBuilder field, String key, String value) {
    field.append(key).append('=');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' || c == ',' || c == '}') {
        field.append('\\');
      }
      field.append(c);
    }
  }
}
