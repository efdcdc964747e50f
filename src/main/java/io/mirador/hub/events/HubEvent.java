package io.mirador.hub.events;

import io.mirador.Addresses;
import io.mirador.model.Wire;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * What hub roles tell each other: typed, immutable records, each published on its own address
 * ({@link Addresses}), carried by reference inside a node and as JSON between nodes. Hub logic listens to these,
 * never to the dashboard's {@code mirador.live.*} feed.
 */
public sealed interface HubEvent permits AgentRegistered, AgentHeartbeat, AgentStatusChanged, CheckStateChanged, ChecksChanged,
    SamplesStored, CheckResultStored, AlertConfigChanged, AlertsChanged, JobsChanged, JobReport, RemediationRequested {

  /** The address each event type is published on. */
  Map<Class<? extends HubEvent>, String> ADDRESSES = Map.ofEntries(
      Map.entry(AgentRegistered.class, Addresses.AGENT_REGISTERED),
      Map.entry(AgentHeartbeat.class, Addresses.AGENT_HEARTBEAT),
      Map.entry(AgentStatusChanged.class, Addresses.AGENT_STATUS),
      Map.entry(CheckStateChanged.class, Addresses.CHECK_STATE),
      Map.entry(ChecksChanged.class, Addresses.CHECKS_CHANGED),
      Map.entry(SamplesStored.class, Addresses.ALERT_SAMPLES),
      Map.entry(CheckResultStored.class, Addresses.ALERT_CHECK_RESULTS),
      Map.entry(AlertConfigChanged.class, Addresses.ALERT_CONFIG),
      Map.entry(AlertsChanged.class, Addresses.ALERTS_CHANGED),
      Map.entry(JobsChanged.class, Addresses.JOBS_CHANGED),
      Map.entry(JobReport.class, Addresses.SCHED_REPORTS),
      Map.entry(RemediationRequested.class, Addresses.SCHED_REMEDIATION));

  /** Registers the codec of every hub event on this event bus; every node of a cluster does the same. */
  static void registerCodecs(EventBus bus) {
    for (Class<? extends HubEvent> type : List.of(AgentRegistered.class, AgentHeartbeat.class, AgentStatusChanged.class,
        CheckStateChanged.class, ChecksChanged.class, SamplesStored.class, CheckResultStored.class, AlertConfigChanged.class,
        AlertsChanged.class, JobsChanged.class, JobReport.class, RemediationRequested.class)) {
      register(bus, type);
    }
  }

  private static <T extends HubEvent> void register(EventBus bus, Class<T> type) {
    bus.registerDefaultCodec(type, new Codec<>(type));
  }

  /** Publishes the event on its address, to every listener on every node. */
  static void publish(EventBus bus, HubEvent event) {
    bus.publish(ADDRESSES.get(event.getClass()), event);
  }

  /** By reference within a JVM (records are immutable), JSON across nodes. */
  final class Codec<T extends HubEvent> implements MessageCodec<T, T> {

    private final Class<T> type;

    Codec(Class<T> type) {
      this.type = type;
    }

    @Override
    public void encodeToWire(Buffer buffer, T event) {
      try {
        byte[] bytes = Wire.MAPPER.writeValueAsBytes(event);
        buffer.appendInt(bytes.length).appendBytes(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      try {
        return Wire.MAPPER.readValue(buffer.getBytes(pos + 4, pos + 4 + length), type);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public T transform(T event) {
      return event;
    }

    @Override
    public String name() {
      return "mirador-" + type.getSimpleName();
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
