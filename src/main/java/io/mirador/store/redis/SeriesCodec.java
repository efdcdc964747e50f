package io.mirador.store.redis;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * How series and points are written as Redis strings.
 *
 * <p>A series is named by a field {@code metric{k1=v1,k2=v2}} with its tags sorted by key ({@code metric} alone
 * when it has none). Metric names and tag keys cannot hold {@code { } , = \}; in tag values {@code \ , }} are
 * escaped with a backslash, so every field decodes back to its metric and tags.
 *
 * <p>In a bucket a series goes by its {@link #id}: 48 bits of a hash of its field, 8 characters of base64url, so the
 * writer needs no lookup to name it. A batch appends one group per timestamp, {@code offset:id,value;id,value;|},
 * offset in ms from the bucket's start, each value in its shortest decimal form (an integral value without
 * {@code .0}): about 15 bytes a point, where a zset entry costs ~50 and a key of its own ~70.
 */
final class SeriesCodec {

  /** A series field decoded; tags in key order. */
  record Series(String metric, Map<String, String> tags) {
  }

  interface PointVisitor {
    void visit(long ts, double value);
  }

  private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

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

  /**
   * The series' id in point buckets: 48 bits of FNV-1a over the field, mixed, in base64url. Stored data depends on
   * it: never change it. Two series of one agent share an id with a chance of about n²/2^49 (2·10^-7 for 10,000).
   */
  static String id(String field) {
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < field.length(); i++) {
      hash ^= field.charAt(i);
      hash *= 0x100000001b3L;
    }
    hash ^= hash >>> 33;
    hash *= 0xff51afd7ed558ccdL;
    hash ^= hash >>> 33;
    hash *= 0xc4ceb9fe1a85ec53L;
    hash ^= hash >>> 33;
    char[] id = new char[8];
    for (int i = 0; i < 8; i++) {
      id[i] = ID_ALPHABET.charAt((int) (hash >>> (6 * i)) & 63);
    }
    return new String(id);
  }

  static void appendEntry(StringBuilder group, String id, double value) {
    appendEntry(group, id, value(value));
  }

  /** An entry whose value is {@link #value formatted} already. */
  static void appendEntry(StringBuilder group, String id, String value) {
    group.append(id).append(',').append(value).append(';');
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

  /**
   * Visits the points of one bucket in the order they were appended; {@code visitorOf} is asked for the visitor of
   * each series id met and returns null for a series nobody wants.
   */
  static void forEachPoint(String payload, long bucketStart, Function<String, PointVisitor> visitorOf) {
    int at = 0;
    int length = payload.length();
    while (at < length) {
      int colon = payload.indexOf(':', at);
      int end = colon < 0 ? -1 : payload.indexOf('|', colon);
      if (end < 0) {
        return; // a torn tail cannot happen (APPEND is atomic), but never let it throw
      }
      long ts = bucketStart + Long.parseLong(payload, at, colon, 10);
      int entry = colon + 1;
      while (entry < end) {
        int comma = payload.indexOf(',', entry);
        int semicolon = payload.indexOf(';', comma);
        if (comma < 0 || semicolon < 0 || semicolon > end) {
          break;
        }
        PointVisitor visitor = visitorOf.apply(payload.substring(entry, comma));
        if (visitor != null) {
          visitor.visit(ts, Double.parseDouble(payload.substring(comma + 1, semicolon)));
        }
        entry = semicolon + 1;
      }
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
