package io.mirador.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import io.mirador.model.EncodedEnvelope;
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

  public RabbitAgentTransport(Vertx vertx, AmqpSettings settings, String agentId) {
    this.vertx = vertx;
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
    return link.connected() && current != null && current.isOpen() && link.blockedBecause() == null;
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
    }
    return link.start(new AmqpLink.Session() {
      @Override
      public void opened(Connection opened) throws Exception {
        Topology.declareShared(opened, settings);
        Topology.declareAgentQueue(opened, agentId, settings);
        publisher = ConfirmingPublisher.open(opened, link.context());
        connection = opened;
        consumeCommands(opened);
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
    if (commandHandler != null) {
      try {
        commandHandler.handle(command);
      } catch (RuntimeException e) {
        LOG.error("agent {}: command handler failed on {} {}", agentId, command.type().wireName(), command.seq(), e);
      }
    }
    ack(channel, tag);
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
