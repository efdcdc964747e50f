package io.mirador.agent;

import io.mirador.Addresses;
import io.mirador.model.AgentInfo;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.transport.AgentTransport;
import io.mirador.transport.Transports;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's way to the hub. Takes events from the agent's other verticles, numbers them with the persisted
 * sequence, and publishes them in order through the transport, one at a time; an event leaves the outbox only
 * once the transport confirmed it. While the hub cannot be reached, events wait in a bounded outbox and are
 * retried with backoff; when the outbox is full the oldest is dropped and counted. Commands from the hub go to
 * the agent's engine.
 */
public final class AgentChannelVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AgentChannelVerticle.class);
  private static final long MIN_BACKOFF_MS = 250;
  private static final long MAX_BACKOFF_MS = 30_000;

  private final ArrayDeque<Envelope> outbox = new ArrayDeque<>();
  private final Map<String, Long> counters = new HashMap<>();
  private AgentTransport transport;
  private SequenceFile sequence;
  private MessageConsumer<Envelope> inbox;
  private String agentId;
  private int maxEvents;
  private boolean sending;
  private long backoffMs = MIN_BACKOFF_MS;
  private long retryTimer = -1;

  @Override
  public Future<?> start() {
    AgentConfig agent = AgentConfig.of(config());
    agentId = agent.id();
    maxEvents = agent.outboxMaxEvents();
    transport = Transports.forAgent(vertx, config(), agentId);
    return vertx.executeBlocking(() -> new SequenceFile(Path.of(agent.dataDir())))
        .compose(seq -> {
          sequence = seq;
          inbox = vertx.eventBus().localConsumer(Addresses.agentOutbox(agentId), message -> enqueue(message.body()));
          Future<Void> commands = transport.onCommand(command -> vertx.eventBus().send(Addresses.agentEngine(agentId), command));
          return Future.join(inbox.completion(), commands);
        });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(retryTimer);
    if (!outbox.isEmpty()) {
      LOG.info("agent {} stops with {} events not yet confirmed", agentId, outbox.size());
    }
    return Future.join(inbox.unregister(), transport.close());
  }

  private void enqueue(Envelope event) {
    if (outbox.size() >= maxEvents) {
      outbox.pollFirst();
      counters.merge("outbox_dropped", 1L, Long::sum);
    }
    outbox.addLast(event);
    pump();
  }

  private void pump() {
    if (sending || outbox.isEmpty() || retryTimer >= 0) {
      return;
    }
    sending = true;
    Envelope head = outbox.peekFirst();
    numbered(head).compose(event -> {
      if (outbox.peekFirst() == head) {
        outbox.pollFirst();
        outbox.addFirst(event); // keep its number if it has to be sent again
      }
      return transport.publish(withCounters(event)).map(event);
    }).onComplete(result -> {
      sending = false;
      if (result.succeeded()) {
        if (outbox.peekFirst() == result.result()) {
          outbox.pollFirst();
        }
        backoffMs = MIN_BACKOFF_MS;
        counters.merge("published", 1L, Long::sum);
        pump();
      } else {
        counters.merge("publish_failures", 1L, Long::sum);
        LOG.debug("agent {} could not publish, retrying in {} ms: {}", agentId, backoffMs, result.cause().toString());
        retryTimer = vertx.setTimer(backoffMs, id -> {
          retryTimer = -1;
          pump();
        });
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      }
    });
  }

  /** Gives an event its sequence number, once; the number is on disk before the event leaves. */
  private Future<Envelope> numbered(Envelope event) {
    if (event.seq() > 0) {
      return Future.succeededFuture(event);
    }
    return vertx.executeBlocking(() -> sequence.next(1))
        .map(seq -> new Envelope(event.v(), event.type(), event.agent(), seq, event.ts(), event.body()));
  }

  /** Heartbeats carry the channel's counters, so the hub sees drops where they happen. */
  private Envelope withCounters(Envelope event) {
    if (event.type() != EventType.HEARTBEAT && event.type() != EventType.REGISTER) {
      return event;
    }
    AgentInfo info = event.body(AgentInfo.class);
    Map<String, Long> merged = new HashMap<>(info.counters());
    merged.putAll(counters);
    merged.put("outbox_size", (long) outbox.size());
    AgentInfo withCounters = new AgentInfo(info.id(), info.hostname(), info.ips(), info.os(), info.version(), info.busy(),
        info.startedAt(), info.interval(), Map.copyOf(merged), info.subscriptions());
    return new Envelope(event.v(), event.type(), event.agent(), event.seq(), event.ts(), withCounters);
  }
}
