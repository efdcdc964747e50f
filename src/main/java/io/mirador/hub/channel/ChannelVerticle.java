package io.mirador.hub.channel;

import io.mirador.Addresses;
import io.mirador.hub.HubConfig;
import io.mirador.metrics.Meters;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.InvalidEventException;
import io.mirador.model.Wire;
import io.mirador.util.RateLimitedLog;
import io.mirador.transport.HubTransport;
import io.mirador.transport.Transports;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridges the transport and the event bus. Every delivery is decoded and validated here; an invalid one is
 * dead-lettered with its reason and counted, a valid one goes to the engine and is acked only once the engine
 * replied that it is stored, or requeued when storing failed.
 */
public final class ChannelVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ChannelVerticle.class);

  private HubTransport transport;
  private Wire wire;
  private Meters meters;
  private DeliveryOptions toEngine;
  private RateLimitedLog rejections;
  /** Per event type, looked up once: this runs for every delivery. */
  private final Map<EventType, LongAdder> received = new EnumMap<>(EventType.class);

  @Override
  public Future<?> start() {
    HubConfig hub = HubConfig.of(config());
    wire = new Wire(hub.maxMessageBytes());
    meters = Meters.of(vertx);
    toEngine = new DeliveryOptions().setSendTimeout(hub.storeTimeoutMs());
    rejections = new RateLimitedLog(LOG, 1_000);
    for (EventType type : EventType.values()) {
      if (type.direction() == EventType.Direction.TO_HUB) {
        received.put(type, meters.counter("mirador_events_received_total", "Valid events received from agents, by type",
            Map.of("type", type.wireName())));
      }
    }
    transport = Transports.forHub(vertx, config());
    return transport.consume(this::handle);
  }

  @Override
  public Future<?> stop() {
    return transport.close();
  }

  private void handle(HubTransport.Delivery delivery) {
    Envelope event;
    try {
      event = wire.decode(delivery.body());
      if (event.type().direction() != EventType.Direction.TO_HUB) {
        // a well-formed command (config, job, cancel) has no business on the ingest side
        throw new InvalidEventException("direction", "event type " + event.type().wireName()
            + " goes from the hub to agents; not accepted from agent " + event.agent());
      }
    } catch (InvalidEventException e) {
      meters.counter("mirador_events_rejected_total", "Messages rejected as invalid, by reason", Map.of("reason", e.code())).increment();
      rejections.warn("rejected message (" + e.code() + "): " + e.getMessage());
      delivery.reject(e.getMessage());
      return;
    }
    received.get(event.type()).increment();
    vertx.eventBus().request(Addresses.ENGINE, event, toEngine).onComplete(stored -> {
      if (stored.succeeded()) {
        delivery.ack();
      } else {
        meters.counter("mirador_events_requeued_total", "Events handed back to the transport because storing failed").increment();
        delivery.requeue(stored.cause().getMessage());
      }
    });
  }
}
