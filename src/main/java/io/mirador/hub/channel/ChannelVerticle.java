package io.mirador.hub.channel;

import io.mirador.Addresses;
import io.mirador.hub.HubConfig;
import io.mirador.hub.engine.EngineVerticle;
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
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridges the transport and the event bus. Every delivery is decoded and validated here; an invalid one is
 * dead-lettered with its reason and counted, a valid one goes to the engine and is acked only once the engine
 * replied that it is stored. One the engine did not store is requeued while the store is away, however long that
 * takes, and dead-lettered when the store refuses it or keeps failing on it ({@link #fate}).
 */
public final class ChannelVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ChannelVerticle.class);

  private static final String REJECTED = "mirador_events_rejected_total";
  private static final String REJECTED_HELP = "Messages dead-lettered, by reason: invalid (malformed, version, type, oversize, invalid, "
      + "direction, timestamp) or not taken by the store (store_refused, store_failed, agent_limit)";
  /** Events whose store failures the channel counts itself, for a transport that gives no redelivery count. */
  private static final int MAX_COUNTED = 10_000;

  /** What becomes of an event the engine did not store. */
  enum Fate {
    /** The store is away or slow: requeue, as long as it takes. */
    WAIT,
    /** A failure not known to pass, not yet {@code maxAttempts} times: requeue and count. */
    RETRY,
    /** Refused for what it holds, or failed {@code maxAttempts} times: dead-letter. */
    DEAD_LETTER
  }

  private HubTransport transport;
  private Wire wire;
  private TimestampWindow timestamps;
  private Meters meters;
  private DeliveryOptions toEngine;
  private int maxAttempts;
  private RateLimitedLog rejections;
  private RateLimitedLog poisons;
  private LongAdder requeued;
  private LongAdder poisoned;
  /** Per event type, looked up once: this runs for every delivery. */
  private final Map<EventType, LongAdder> received = new EnumMap<>(EventType.class);
  /** Failed attempts per (agent, seq) of events being retried, oldest forgotten past {@link #MAX_COUNTED}. */
  private final Map<String, Integer> failedAttempts = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > MAX_COUNTED;
    }
  };

  @Override
  public Future<?> start() {
    HubConfig hub = HubConfig.of(config());
    wire = new Wire(hub.maxMessageBytes());
    timestamps = TimestampWindow.of(config());
    meters = Meters.of(vertx);
    toEngine = new DeliveryOptions().setSendTimeout(hub.storeTimeoutMs());
    maxAttempts = hub.maxAttempts();
    rejections = new RateLimitedLog(LOG, 1_000);
    poisons = new RateLimitedLog(LOG, 1_000);
    requeued = meters.counter("mirador_events_requeued_total", "Events handed back to the transport because storing failed");
    poisoned = meters.counter("mirador_deliveries_poison_total",
        "Valid events dead-lettered because the store would not take them: refused for what they hold, or failed hub.ingest.maxAttempts times");
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
      timestamps.check(event, System.currentTimeMillis());
      if (event.type().direction() != EventType.Direction.TO_HUB) {
        // a well-formed command (config, job, cancel) has no business on the ingest side
        throw new InvalidEventException("direction", "event type " + event.type().wireName()
            + " goes from the hub to agents; not accepted from agent " + event.agent());
      }
    } catch (InvalidEventException e) {
      meters.counter(REJECTED, REJECTED_HELP, Map.of("reason", e.code())).increment();
      rejections.warn("rejected message (" + e.code() + "): " + e.getMessage());
      delivery.reject(e.getMessage());
      return;
    }
    received.get(event.type()).increment();
    vertx.eventBus().request(Addresses.ENGINE, event, toEngine).onComplete(stored -> {
      if (stored.succeeded()) {
        if (!failedAttempts.isEmpty()) {
          failedAttempts.remove(key(event));
        }
        delivery.ack();
      } else {
        notStored(delivery, event, stored.cause());
      }
    });
  }

  private void notStored(HubTransport.Delivery delivery, Envelope event, Throwable failure) {
    String key = key(event);
    // the broker's count survives hub restarts and spans hub nodes; ours covers transports that keep none
    long attempt = Math.max(delivery.redeliveries(), failedAttempts.getOrDefault(key, 0)) + 1;
    switch (fate(failure, attempt, maxAttempts)) {
      case WAIT -> {
        requeued.increment();
        delivery.requeue(failure.getMessage());
      }
      case RETRY -> {
        failedAttempts.merge(key, 1, Integer::sum);
        requeued.increment();
        delivery.requeue(failure.getMessage());
      }
      case DEAD_LETTER -> {
        failedAttempts.remove(key);
        boolean refused = failure instanceof ReplyException reply && isRefusal(reply.failureCode());
        boolean agentLimit = failure instanceof ReplyException reply && reply.failureCode() == EngineVerticle.AGENT_LIMIT;
        String reason = refused ? failure.getMessage() : "not stored after " + attempt + " attempts: " + failure.getMessage();
        meters.counter(REJECTED, REJECTED_HELP, Map.of("reason", agentLimit ? "agent_limit" : refused ? "store_refused" : "store_failed"))
            .increment();
        poisoned.increment();
        poisons.warn("dead-lettered " + event.type().wireName() + " seq " + event.seq() + " of agent " + event.agent() + ": " + reason);
        delivery.reject(reason);
      }
    }
  }

  /**
   * The engine's failure codes decide ({@link EngineVerticle#UNAVAILABLE}, {@link EngineVerticle#REFUSED},
   * {@link EngineVerticle#FAILED}); an engine that did not answer in time, or is not there, counts as a store that is
   * away. {@code attempt} is this one's number, from 1.
   */
  static Fate fate(Throwable failure, long attempt, int maxAttempts) {
    if (!(failure instanceof ReplyException reply) || reply.failureType() != ReplyFailure.RECIPIENT_FAILURE
        || reply.failureCode() == EngineVerticle.UNAVAILABLE) {
      return Fate.WAIT;
    }
    if (isRefusal(reply.failureCode())) {
      return Fate.DEAD_LETTER;
    }
    return attempt >= maxAttempts ? Fate.DEAD_LETTER : Fate.RETRY;
  }

  /** 4xx: refused for what the event holds ({@link EngineVerticle#REFUSED}, or a type the engine does not take). */
  private static boolean isRefusal(int code) {
    return code >= 400 && code < 500;
  }

  private static String key(Envelope event) {
    return event.agent() + ' ' + event.seq();
  }
}
