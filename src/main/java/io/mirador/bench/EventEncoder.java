package io.mirador.bench;

import io.mirador.model.Envelope;
import java.nio.charset.StandardCharsets;

/**
 * Builds wire envelopes (docs: DESIGN.md §2) straight as bytes: the bench shares two cores with the hub, so it
 * does not spend them on an object mapper. {@code WireTest}-strict: the hub decodes these like any agent's.
 */
final class EventEncoder {

  private final String[] sampleHeads;

  EventEncoder(int metrics) {
    sampleHeads = new String[metrics];
    for (int k = 0; k < metrics; k++) {
      sampleHeads[k] = "{\"name\":\"bench.m" + k + "\",\"value\":";
    }
  }

  byte[] metrics(String agent, long seq, long ts) {
    StringBuilder out = head(new StringBuilder(64 + sampleHeads.length * 40), "metrics", agent, seq, ts).append("{\"samples\":[");
    String time = ",\"ts\":" + ts + "}";
    for (int k = 0; k < sampleHeads.length; k++) {
      if (k > 0) {
        out.append(',');
      }
      out.append(sampleHeads[k]).append((seq * 7 + k) % 1000).append(time);
    }
    return out.append("]}}").toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] probe(String agent, long seq, long ts, long marker) {
    return head(new StringBuilder(192), "metrics", agent, seq, ts)
        .append("{\"samples\":[{\"name\":\"bench.probe\",\"value\":").append(marker).append(",\"ts\":").append(ts).append("}]}}")
        .toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] register(String agent, long seq, long ts, int intervalSeconds) {
    return head(new StringBuilder(256), "register", agent, seq, ts)
        .append("{\"id\":\"").append(agent).append("\",\"hostname\":\"").append(agent)
        .append("\",\"ips\":[],\"os\":\"bench\",\"version\":\"bench\",\"busy\":false,\"startedAt\":").append(ts)
        .append(",\"interval\":").append(intervalSeconds).append(",\"counters\":{}}}")
        .toString().getBytes(StandardCharsets.UTF_8);
  }

  private static StringBuilder head(StringBuilder out, String type, String agent, long seq, long ts) {
    return out.append("{\"v\":").append(Envelope.VERSION).append(",\"type\":\"").append(type).append("\",\"agent\":\"").append(agent)
        .append("\",\"seq\":").append(seq).append(",\"ts\":").append(ts).append(",\"body\":");
  }
}
