package io.mirador.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import io.mirador.agent.AgentTrust;
import io.mirador.model.EncodedEnvelope;
import io.mirador.model.EventType;
import io.mirador.trust.EnvelopeMac;
import io.mirador.util.RateLimitedLog;
import java.util.Map;
import io.mirador.model.Envelope;
import io.mirador.model.InvalidEventException;
import io.mirador.model.Wire;
import io.mirador.transport.AgentTransport;
import io.mirador.transport.UndeliverableException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the RabbitMQ transport. Events go to {@code mirador.ingest} with routing key
 * {@code <type>.<agent-id>}, persistent and mandatory, on a confirm channel: {@link #publish} succeeds only when
 * the broker confirmed that message, and fails when the connection went first, when the confirm is late or when
 * the broker is down or blocking publishers, so the agent keeps (spools) the event. Commands are consumed from
 * the agent's own queue {@code mirador.agent.<id>}, handed to the handler, then acked.
 */
public final class RabbitAgentTransport implements AgentTransport {

  private static final Logger LOG = LoggerFactory.getLogger(RabbitAgentTransport.class);
  /** Commands are few and each may start a job: no need to hold many unacked. */
  private static final int COMMAND_PREFETCH = 8;
  private static final long ENROLL_RETRY_MS = 60_000;
  private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();

  private final Vertx vertx;
  private final AmqpSettings settings;
  private final String agentId;
  private final Wire wire = Wire.standard();
  private final AmqpLink link;
  private volatile ConfirmingPublisher publisher;
  private volatile Connection connection;
  /** The connection the command consumer runs on; only touched on the link's worker. */
  private Connection consuming;
  private volatile Handler<Envelope> commandHandler;
  private boolean redeclaring;
  private long expiryTimer = -1;
  /** Enrollment, envelope MACs and command signatures; null: none (transport tests), commands are then handed over as they come. */
  private final AgentTrust trust;
  private long enrollTimer = -1;
  private final RateLimitedLog refusals = new RateLimitedLog(LOG, 10_000);

  public RabbitAgentTransport(Vertx vertx, AmqpSettings settings, String agentId) {
    this(vertx, settings, agentId, null);
  }

  public RabbitAgentTransport(Vertx vertx, AmqpSettings settings, String agentId, AgentTrust trust) {
    this.vertx = vertx;
    this.trust = trust;
    this.settings = settings;
    this.agentId = agentId;
    this.link = new AmqpLink(vertx, settings, "mirador-agent-" + agentId);
  }

  @Override
  public Future<Void> publish(EncodedEnvelope event) {
    byte[] body = event.bytes();
    if (body.length > settings.maxMessageBytes()) {
      return Future.failedFuture(new UndeliverableException(event.type().wireName() + " seq " + event.seq() + " is " + body.length
          + " bytes, more than transport.amqp.maxMessageBytes (" + settings.maxMessageBytes() + ")"));
    }
    return start().compose(started -> {
      ConfirmingPublisher current = publisher;
      if (!link.connected() || current == null || !current.isOpen()) {
        return Future.failedFuture(new PublishFailedException(link.notConnected()));
      }
      if (waitsForEnrollment()) {
        return Future.failedFuture(new PublishFailedException("not enrolled yet (agent key " + trust.fingerprint() + ")"));
      }
      String mac = trust == null ? null : trust.mac(body);
      String blocked = link.blockedBecause();
      if (blocked != null) {
        return Future.failedFuture(new PublishFailedException("the broker blocks publishing: " + blocked));
      }
      AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
          .contentType("application/json")
          .deliveryMode(2)
          .timestamp(new java.util.Date(event.ts()))
          .type(event.type().wireName())
          .appId(agentId)
          .headers(mac == null ? null : Map.of(EnvelopeMac.HEADER, mac))
          .build();
      return link.publish(current, Topology.INGEST_EXCHANGE, Topology.ingestRoutingKey(event.type(), event.agent()), true, properties, body)
          .onFailure(this::redeclareIfUnroutable);
    });
  }

  /**
   * An unroutable event means the ingest queue or its binding was deleted under a live connection; declaring
   * the topology again brings them back (the event itself was failed, so the agent keeps it).
   */
  private void redeclareIfUnroutable(Throwable failure) {
    Connection current = connection;
    if (redeclaring || current == null || failure.getMessage() == null || !failure.getMessage().startsWith("unroutable")) {
      return;
    }
    redeclaring = true;
    LOG.warn("agent {}: {}; declaring the topology again", agentId, failure.getMessage());
    link.run(() -> {
      Topology.declareShared(current, settings);
      return null;
    }).onComplete(done -> redeclaring = false);
  }

  @Override
  public boolean connected() {
    ConfirmingPublisher current = publisher;
    return link.connected() && current != null && current.isOpen() && link.blockedBecause() == null && !waitsForEnrollment();
  }

  private boolean waitsForEnrollment() {
    return trust != null && trust.required() && !trust.enrolled();
  }

  /**
   * Asks the hub to enroll this agent's key: on every connection while not enrolled, and again every
   * {@value #ENROLL_RETRY_MS} ms (an admin may take a while; the hub answers on the agent's queue).
   */
  private void requestEnrollment() {
    if (trust == null || !trust.required() || trust.enrolled()) {
      return;
    }
    ConfirmingPublisher current = publisher;
    if (current == null || !current.isOpen()) {
      return;
    }
    Envelope request = trust.enrollRequest();
    AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
        .contentType("application/json").deliveryMode(2).type(request.type().wireName()).appId(agentId).build();
    link.publish(current, Topology.INGEST_EXCHANGE, Topology.ingestRoutingKey(request.type(), agentId), true, properties, wire.encode(request))
        .onSuccess(sent -> LOG.info("agent {}: asked the hub to enroll key {}{}", agentId, trust.fingerprint(),
            request.body(io.mirador.model.EnrollRequest.class).tokenId() == null ? " (no token: an admin must accept it)" : " with an enrollment token"))
        .onFailure(e -> LOG.warn("agent {}: enrollment request not sent: {}", agentId, e.getMessage()));
  }

  @Override
  public Future<Void> onCommand(Handler<Envelope> handler) {
    commandHandler = handler;
    return start().compose(started -> {
      Connection current = connection;
      // connected before the handler was there: start consuming on this connection now (later ones do it in opened)
      return current == null ? Future.succeededFuture() : link.run(() -> {
        consumeCommands(current);
        return null;
      });
    });
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(expiryTimer);
    vertx.cancelTimer(enrollTimer);
    return link.close();
  }

  /** Unconfirmed messages on the current channel (for tests and diagnostics). */
  int unconfirmed() {
    ConfirmingPublisher current = publisher;
    return current == null ? 0 : current.unconfirmed();
  }

  AmqpLink link() {
    return link;
  }

  private Future<Void> start() {
    if (expiryTimer < 0) {
      expiryTimer = ConfirmingPublisher.watchExpiry(vertx, settings.confirmTimeoutMs(), () -> publisher);
      if (trust != null && trust.required()) {
        enrollTimer = vertx.setPeriodic(ENROLL_RETRY_MS, id -> requestEnrollment());
      }
    }
    return link.start(new AmqpLink.Session() {
      @Override
      public void opened(Connection opened) throws Exception {
        if (trust != null) {
          trust.load();
        }
        Topology.declareShared(opened, settings);
        Topology.declareAgentQueue(opened, agentId, settings);
        publisher = ConfirmingPublisher.open(opened, link.context());
        connection = opened;
        consumeCommands(opened);
        link.context().runOnContext(ignored -> requestEnrollment());
      }

      @Override
      public void lost() {
        publisher = null;
        connection = null;
      }
    });
  }

  /** Starts the command consumer on this connection, once, when there is a handler. Blocking, on the link's worker. */
  private void consumeCommands(Connection current) throws java.io.IOException {
    if (commandHandler == null || consuming == current || !current.isOpen()) {
      return;
    }
    consuming = current;
    Channel commands = current.createChannel();
    link.reconnectOnError(commands);
    commands.basicQos(COMMAND_PREFETCH);
    commands.basicConsume(Topology.agentQueue(agentId), false, "mirador-agent-" + agentId,
        (tag, delivery) -> link.context().runOnContext(ignored -> command(commands, delivery)),
        tag -> {
          LOG.warn("agent {}: the broker cancelled the command consumer (queue deleted?); reconnecting", agentId);
          link.run(() -> {
            current.abort(1_000);
            return null;
          });
        },
        (tag, signal) -> { });
  }

  /** A command from the hub: handed over, then acked; one that does not decode is dead-lettered with its reason. */
  private void command(Channel channel, Delivery delivery) {
    long tag = delivery.getEnvelope().getDeliveryTag();
    Envelope command;
    try {
      command = wire.decode(delivery.getBody());
    } catch (InvalidEventException e) {
      LOG.warn("agent {}: dead-lettering a command that is no valid envelope: {}", agentId, e.getMessage());
      deadLetter(delivery, e.getMessage()).onComplete(done -> ack(channel, tag));
      return;
    }
    if (trust != null) {
      Map<String, Object> headers = delivery.getProperties().getHeaders();
      if (command.type() == EventType.ENROLLED) {
        vertx.executeBlocking(() -> trust.accept(command, headers, delivery.getBody())).onComplete(accepted -> {
          String refused = accepted.succeeded() ? accepted.result() : "failed: " + accepted.cause();
          if (refused == null) {
            ack(channel, tag);
          } else {
            refuse(channel, tag, delivery, command, refused);
          }
        });
        return;
      }
      String refused = trust.check(command, headers, delivery.getBody(), System.currentTimeMillis());
      if (refused != null) {
        refuse(channel, tag, delivery, command, refused);
        return;
      }
    } else if (command.type() == EventType.ENROLLED) {
      ack(channel, tag);
      return;
    }
    if (commandHandler != null) {
      try {
        commandHandler.handle(command);
      } catch (RuntimeException e) {
        LOG.error("agent {}: command handler failed on {} {}", agentId, command.type().wireName(), command.seq(), e);
      }
    }
    ack(channel, tag);
  }

  /** A command this agent will not run: dead-lettered with the reason, counted, and logged (rate-limited). */
  private void refuse(Channel channel, long tag, Delivery delivery, Envelope command, String reason) {
    refused.incrementAndGet();
    refusals.warn("agent " + agentId + ": refused " + command.type().wireName() + " command seq " + command.seq() + ": " + reason);
    deadLetter(delivery, "refused by the agent: " + reason).onComplete(done -> ack(channel, tag));
  }

  /** Commands refused since start (unsigned, forged, expired, replayed, for another agent). */
  public long refusedCommands() {
    return refused.get();
  }

  private void ack(Channel channel, long tag) {
    link.execute(() -> {
      if (channel.isOpen()) {
        channel.basicAck(tag, false); // a tag of a channel that is gone means nothing on the new one: skipped
      }
    });
  }

  private Future<Void> deadLetter(Delivery delivery, String reason) {
    ConfirmingPublisher current = publisher;
    if (current == null || !current.isOpen()) {
      return Future.failedFuture("not connected");
    }
    AMQP.BasicProperties properties = DeadLetters.properties(delivery, reason, Topology.agentQueue(agentId));
    return link.publish(current, Topology.DEAD_LETTER_EXCHANGE, delivery.getEnvelope().getRoutingKey(), false, properties, delivery.getBody());
  }
}
