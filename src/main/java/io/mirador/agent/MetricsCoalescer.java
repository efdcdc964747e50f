package io.mirador.agent;

import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Merges the {@code metrics} events the agent's collectors emit within a short linger into one event. Every
 * collector run makes an event of its own, and the hub, the broker and Redis pay a fixed cost per event about as
 * large as the cost of a hundred samples (docs/PERFORMANCE.md): an agent with eight collectors on one interval
 * sends one event per round instead of eight.
 *
 * <p>The first event held starts the linger; when it ends, or before the held samples would pass {@code maxSamples}
 * or {@code maxBytes} of JSON (a bound, not a guess: see {@link #estimatedBytes}), they leave as one event
 * stamped with the latest of the merged events' times (each sample keeps its own). An event that alone is that
 * big goes as it is. Confined to the channel's event
 * loop; {@link #flush} hands over what is held (the channel calls it when it stops).
 */
final class MetricsCoalescer {

  private final Vertx vertx;
  private final String agentId;
  private final long lingerMs;
  private final int maxSamples;
  private final int maxBytes;
  private final Consumer<Envelope> out;
  /** Called with the number of events merged away each time more than one leaves as one. */
  private final Consumer<Integer> merged;

  private final List<Sample> held = new ArrayList<>();
  private int heldEvents;
  private long heldBytes;
  private long latestTs;
  private long timer = -1;

  MetricsCoalescer(Vertx vertx, String agentId, long lingerMs, int maxSamples, int maxBytes, Consumer<Envelope> out,
                   Consumer<Integer> merged) {
    this.vertx = vertx;
    this.agentId = agentId;
    this.lingerMs = lingerMs;
    this.maxSamples = maxSamples;
    this.maxBytes = maxBytes;
    this.out = out;
    this.merged = merged;
  }

  /** Takes a {@code metrics} event; passes anything else, and everything when the linger is 0, straight on. */
  void add(Envelope event) {
    if (lingerMs == 0 || event.type() != EventType.METRICS) {
      out.accept(event);
      return;
    }
    List<Sample> samples = event.body(MetricsBatch.class).samples();
    long bytes = estimatedBytes(samples);
    if (samples.size() >= maxSamples || bytes >= maxBytes) {
      flush();
      out.accept(event);
      return;
    }
    if (held.size() + samples.size() > maxSamples || heldBytes + bytes > maxBytes) {
      flush();
    }
    held.addAll(samples);
    heldEvents++;
    heldBytes += bytes;
    latestTs = Math.max(latestTs, event.ts());
    if (timer < 0) {
      timer = vertx.setTimer(lingerMs, id -> {
        timer = -1;
        flush();
      });
    }
  }

  /** Sends what is held now, as one event. */
  void flush() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (held.isEmpty()) {
      return;
    }
    Envelope event = new Envelope(Envelope.VERSION, EventType.METRICS, agentId, 0, latestTs, new MetricsBatch(List.copyOf(held)));
    if (heldEvents > 1) {
      merged.accept(heldEvents - 1);
    }
    held.clear();
    heldEvents = 0;
    heldBytes = 0;
    latestTs = 0;
    out.accept(event);
  }

  /**
   * At least the size of these samples' JSON, so that held samples never add up past {@code maxBytes}: the
   * fixed part of a sample with the longest number and timestamp, names and tag keys (plain ASCII, by validation),
   * and tag values at 6 bytes a character, the most one takes escaped ({@code \u0001}).
   */
  static long estimatedBytes(List<Sample> samples) {
    long bytes = 0;
    for (Sample sample : samples) {
      bytes += 96 + sample.name().length();
      for (Map.Entry<String, String> tag : sample.tags().entrySet()) {
        bytes += 6 + tag.getKey().length() + 6L * tag.getValue().length();
      }
    }
    return bytes;
  }
}
