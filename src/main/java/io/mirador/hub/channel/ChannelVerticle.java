package io.mirador.hub.channel;

import io.mirador.Addresses;
import io.mirador.hub.HubConfig;
import io.mirador.hub.engine.EngineVerticle;
import io.mirador.hub.enroll.AgentAuthenticator;
import io.mirador.hub.enroll.AgentKeys;
import io.mirador.hub.enroll.EnrollConfig;
import io.mirador.hub.enroll.Enroller;
import io.mirador.hub.enroll.HubTrust;
import io.mirador.store.Stores;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
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
      + "direction, timestamp), not from the agent they name (unauthenticated, unknown_agent, agent_mismatch, routing_key) "
      + "or not taken by the store (store_refused, store_failed, agent_limit)";
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
  /** Per-envelope authentication of agents; null when off (the event bus of a standalone hub). */
  private AgentAuthenticator authenticator;
  private Enroller enroller;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
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
    EnrollConfig enroll = EnrollConfig.of(config());
    if (enroll.authenticate()) {
      AgentKeys keys = Stores.shared(vertx, config()).agentKeys();
      // the hub's keys are read (or made) in the store when first needed, so a store that is away at start only delays
      // them: until then events are requeued, as for any store failure
      java.util.function.Supplier<Future<HubTrust>> trust = () -> HubTrust.shared(vertx, config());
      authenticator = new AgentAuthenticator(keys, trust, System::currentTimeMillis);
      enroller = new Enroller(vertx, keys, trust, transport, enroll.token());
      consumers.add(vertx.eventBus().<String>consumer(Addresses.ENROLL_CHANGED, message -> authenticator.forget(message.body())));
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.ENROLL_SEND, message -> {
        JsonObject body = message.body();
        enroller.send(body.getString("agent"), body.getString("publicKey"), null)
            .onSuccess(sent -> message.reply(null))
            .onFailure(e -> message.fail(503, e.getMessage()));
      }));
      trust.get().onSuccess(loaded -> LOG.info("agents are authenticated per envelope; they enroll against hub key {}", loaded.fingerprint()))
          .onFailure(e -> LOG.warn("the hub's keys are not readable yet ({}); agents' events wait until they are", e.getMessage()));
    }
    return transport.consume(this::handle);
  }

  @Override
  public Future<?> stop() {
    consumers.forEach(MessageConsumer::unregister);
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
    if (event.type() == EventType.ENROLL) {
      enroll(delivery, event);
    } else if (authenticator == null) {
      store(delivery, event);
    } else {
      authenticator.check(event, delivery).onComplete(checked -> {
        if (checked.failed()) {
          // the hub's keys or the agent's could not be read: the store is away, try again later
          requeued.increment();
          delivery.requeue("cannot authenticate now: " + checked.cause().getMessage());
        } else if (checked.result() != null) {
          refuse(delivery, checked.result().code(), checked.result().message());
        } else {
          store(delivery, event);
        }
      });
    }
  }

  private void refuse(HubTransport.Delivery delivery, String code, String message) {
    meters.counter(REJECTED, REJECTED_HELP, Map.of("reason", code)).increment();
    rejections.warn("rejected message (" + code + "): " + message);
    delivery.reject(code + ": " + message);
  }

  /** An enrollment request: handled here, never stored as an event; acked once answered or put to wait for an admin. */
  private void enroll(HubTransport.Delivery delivery, Envelope event) {
    if (enroller == null) {
      refuse(delivery, "direction", "enroll requests are not taken on this transport (hub.agents.authenticate is off)");
      return;
    }
    received.get(event.type()).increment();
    enroller.handle(event).onComplete(done -> {
      if (done.succeeded()) {
        meters.counter("mirador_enrollments_total", "Enrollment requests, by outcome (enrolled, pending, refused: pending list full)",
            Map.of("outcome", done.result().name().toLowerCase(java.util.Locale.ROOT))).increment();
        LOG.info("enrollment request of agent {}: {}", event.agent(), done.result().name().toLowerCase(java.util.Locale.ROOT));
        delivery.ack();
      } else if (done.cause() instanceof InvalidEventException e) {
        refuse(delivery, e.code(), e.getMessage());
      } else {
        requeued.increment();
        delivery.requeue("enrollment not handled now: " + done.cause().getMessage());
      }
    });
  }

  private void store(HubTransport.Delivery delivery, Envelope event) {
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
