package io.mirador.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.mirador.model.Envelope;
import io.mirador.model.Wire;
import io.mirador.transport.CommandSigner;
import io.mirador.transport.HubTransport;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's side of the RabbitMQ transport. Consumes {@code mirador.ingest} with manual acks and a bounded
 * prefetch (competing with the other hub channels); a delivery ends in exactly one of ack ({@code basic.ack}),
 * reject (a copy with the reason in {@code x-mirador-reason} goes to {@code mirador.dlx}, confirmed, then the
 * original is acked) or requeue ({@code basic.nack} with requeue, after a short delay so a store that is down
 * does not make the queue spin). Commands go to {@code mirador.agents}, confirmed and mandatory: a command for
 * an agent whose queue does not exist fails instead of vanishing.
 *
 * <p>Two connections: consuming and acking on one, publishing on the other, because a broker under a resource
 * alarm blocks every connection that publishes, and draining the queue is what relieves it.
 */
public final class RabbitHubTransport implements HubTransport {

  private static final Logger LOG = LoggerFactory.getLogger(RabbitHubTransport.class);
  /** How long acks are gathered before they go out in as few frames as the batcher can. */
  private static final long ACK_FLUSH_MS = 2;

  private final Vertx vertx;
  private final AmqpSettings settings;
  private final AmqpLink consumeLink;
  private final AmqpLink publishLink;
  private volatile ConfirmingPublisher publisher;
  private Handler<Delivery> handler;
  private long expiryTimer = -1;
  /** Signs every command, or null (transport tests). */
  private final CommandSigner signer;

  public RabbitHubTransport(Vertx vertx, AmqpSettings settings) {
    this(vertx, settings, null);
  }

  public RabbitHubTransport(Vertx vertx, AmqpSettings settings, CommandSigner signer) {
    this.vertx = vertx;
    this.signer = signer;
    this.settings = settings;
    this.consumeLink = new AmqpLink(vertx, settings, "mirador-hub-consume");
    this.publishLink = new AmqpLink(vertx, settings, "mirador-hub-publish");
  }

  @Override
  public Future<Void> consume(Handler<Delivery> handler) {
    this.handler = handler;
    return Future.join(startPublishing(), consumeLink.start(new AmqpLink.Session() {
      @Override
      public void opened(Connection connection) throws Exception {
        Topology.declareShared(connection, settings);
        Channel channel = connection.createChannel();
        consumeLink.reconnectOnError(channel);
        channel.basicQos(settings.prefetch());
        Settlements settlements = new Settlements(channel);
        channel.basicConsume(Topology.INGEST_QUEUE, false,
            (tag, delivery) -> consumeLink.context().runOnContext(ignored -> deliver(settlements, delivery)),
            tag -> {
              LOG.warn("the broker cancelled the ingest consumer (queue deleted?); reconnecting");
              consumeLink.run(() -> {
                connection.abort(1_000);
                return null;
              });
            });
      }
    })).mapEmpty();
  }

  @Override
  public Future<Void> sendToAgent(String agentId, Envelope command) {
    // a check assignment can be megabytes of JSON: encoded on a worker, in order, never on the event loop; then signed
    return vertx.executeBlocking(() -> Wire.standard().encode(command), true).compose(body -> {
      Future<Map<String, Object>> signed = signer == null ? Future.succeededFuture(Map.of()) : signer.sign(body);
      return signed.compose(headers -> startPublishing().map(headers)).compose(headers -> {
      AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
          .contentType("application/json").deliveryMode(2).type(command.type().wireName()).headers(headers).build();
      return publish(Topology.AGENTS_EXCHANGE, agentId, true, properties, body)
          .recover(e -> Future.failedFuture(new PublishFailedException("command for agent " + agentId + " not taken: " + e.getMessage())));
      });
    });
  }

  @Override
  public boolean connected() {
    return consumeLink.connected() && publishLink.connected();
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(expiryTimer);
    return Future.join(consumeLink.close(), publishLink.close()).mapEmpty();
  }

  private Future<Void> startPublishing() {
    if (expiryTimer < 0) {
      expiryTimer = ConfirmingPublisher.watchExpiry(vertx, settings.confirmTimeoutMs(), () -> publisher);
    }
    return publishLink.start(new AmqpLink.Session() {
      @Override
      public void opened(Connection connection) throws Exception {
        Topology.declareShared(connection, settings);
        publisher = ConfirmingPublisher.open(connection, publishLink.context());
      }

      @Override
      public void lost() {
        publisher = null;
      }
    });
  }

  private Future<Void> publish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties, byte[] body) {
    ConfirmingPublisher current = publisher;
    if (current == null || !current.isOpen()) {
      return Future.failedFuture(new PublishFailedException(publishLink.notConnected()));
    }
    String blocked = publishLink.blockedBecause();
    if (blocked != null) {
      return Future.failedFuture(new PublishFailedException("the broker blocks publishing: " + blocked));
    }
    return publishLink.publish(current, exchange, routingKey, mandatory, properties, body);
  }

  private void deliver(Settlements settlements, com.rabbitmq.client.Delivery delivery) {
    RabbitDelivery wrapped = new RabbitDelivery(settlements, delivery);
    try {
      handler.handle(wrapped);
    } catch (RuntimeException e) {
      LOG.error("ingest handler failed; requeueing the delivery", e);
      wrapped.requeue("handler failed: " + e);
    }
  }

  /**
   * The settling of one consumer channel's deliveries: acks gathered by an {@link AckBatcher} and sent
   * {@link #ACK_FLUSH_MS} after the first one held, rejects and requeues on their own. On the consumer's context only.
   */
  private final class Settlements {

    final Channel channel;
    final AckBatcher acks;
    private boolean flushing;

    Settlements(Channel channel) {
      this.channel = channel;
      this.acks = new AckBatcher((tag, multiple) -> onChannel(() -> channel.basicAck(tag, multiple)));
    }

    void ack(long tag) {
      acks.ack(tag);
      if (!flushing) {
        flushing = true;
        // on a timer rather than at the end of this turn: a couple of milliseconds gather several times more acks
        // per frame at a few thousand events a second, and cost nothing but a little prefetch credit
        vertx.setTimer(ACK_FLUSH_MS, id -> {
          flushing = false;
          acks.flush();
        });
      }
    }

    /** A settlement on a channel that is gone is skipped: the broker redelivers the message on the next one. */
    void onChannel(AmqpLink.Call call) {
      consumeLink.execute(() -> {
        if (channel.isOpen()) {
          call.run();
        }
      });
    }
  }

  /** One message from {@code mirador.ingest}, tied to the channel it came on: its tag means nothing on another. */
  private final class RabbitDelivery implements Delivery {

    private final Settlements settlements;
    private final com.rabbitmq.client.Delivery delivery;
    private final long tag;
    private final AtomicBoolean settled = new AtomicBoolean();

    RabbitDelivery(Settlements settlements, com.rabbitmq.client.Delivery delivery) {
      this.settlements = settlements;
      this.delivery = delivery;
      this.tag = delivery.getEnvelope().getDeliveryTag();
      settlements.acks.delivered(tag);
    }

    @Override
    public byte[] body() {
      return delivery.getBody();
    }

    @Override
    public String routingKey() {
      return delivery.getEnvelope().getRoutingKey();
    }

    @Override
    public Object header(String name) {
      Map<String, Object> headers = delivery.getProperties().getHeaders();
      return headers == null ? null : headers.get(name);
    }

    @Override
    public long redeliveries() {
      Map<String, Object> headers = delivery.getProperties().getHeaders();
      return headers != null && headers.get(Topology.DELIVERY_COUNT_HEADER) instanceof Number count ? count.longValue() : 0;
    }

    @Override
    public void ack() {
      if (settle("ack")) {
        onContext(() -> settlements.ack(tag));
      }
    }

    @Override
    public void reject(String reason) {
      if (!settle("reject")) {
        return;
      }
      onContext(() -> settlements.acks.hold(tag));
      publish(Topology.DEAD_LETTER_EXCHANGE, delivery.getEnvelope().getRoutingKey(), false,
          DeadLetters.properties(delivery, reason, Topology.INGEST_QUEUE), delivery.getBody())
          .onSuccess(copied -> settleAlone(() -> settlements.channel.basicAck(tag, false)))
          .onFailure(e -> {
            // the reason must travel with the message: keep it in the queue and try again later, rather than
            // letting the queue's own dead-lettering drop the reason
            LOG.warn("could not dead-letter a rejected message ({}); requeueing it: {}", reason, e.getMessage());
            nackLater();
          });
    }

    @Override
    public void requeue(String reason) {
      if (settle("requeue")) {
        LOG.debug("requeueing delivery {}: {}", tag, reason);
        onContext(() -> settlements.acks.hold(tag));
        nackLater();
      }
    }

    private void nackLater() {
      vertx.setTimer(settings.requeueDelayMs(), id -> settleAlone(() -> settlements.channel.basicNack(tag, false, true)));
    }

    /** Settles this held delivery with its own frame, and lets the batcher's multiple acks pass it from then on. */
    private void settleAlone(AmqpLink.Call call) {
      settlements.onChannel(call);
      onContext(() -> settlements.acks.settled(tag));
    }

    private boolean settle(String how) {
      if (settled.compareAndSet(false, true)) {
        return true;
      }
      LOG.warn("delivery {} settled twice (then {}); ignored", tag, how);
      return false;
    }

    /** The batcher belongs to the consumer's context; a settlement from elsewhere hops there. */
    private void onContext(Runnable action) {
      if (Vertx.currentContext() == consumeLink.context()) {
        action.run();
      } else {
        consumeLink.context().runOnContext(ignored -> action.run());
      }
    }
  }
}
