package io.mirador.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Return;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;

/**
 * One channel in confirm mode that tells each publisher whether the broker took that very message. Every
 * publish is filed under its delivery tag before it is written; a broker ack (single or multiple) completes the
 * promises it covers, a nack or a {@code basic.return} (unroutable, with {@code mandatory}) fails them, and when
 * the channel closes every promise still waiting fails at once: an unconfirmed message is never taken for sent.
 * The stock RabbitMQPublisher of vertx-rabbitmq-client forgets such messages when its channel drops.
 *
 * <p>{@link #publish} runs on the link's worker thread (the only thread that publishes on this channel, so
 * tags are assigned in order); confirms arrive on the client's connection thread; promises are completed on the
 * owner's Vert.x context, in tag order.
 */
final class ConfirmingPublisher {

  private final Channel channel;
  private final Context context;
  private final ConcurrentNavigableMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
  private volatile PublishFailedException closed;

  private ConfirmingPublisher(Channel channel, Context context) {
    this.channel = channel;
    this.context = context;
  }

  /** Opens a channel in confirm mode on the connection. Blocking. */
  static ConfirmingPublisher open(Connection connection, Context context) throws IOException {
    Channel channel = connection.createChannel();
    channel.confirmSelect();
    ConfirmingPublisher publisher = new ConfirmingPublisher(channel, context);
    channel.addConfirmListener(publisher::acked, publisher::nacked);
    channel.addReturnListener(publisher::returned);
    channel.addShutdownListener(signal -> publisher.failAll("channel closed before the broker confirmed: " + signal.getMessage()));
    return publisher;
  }

  /**
   * Publishes and files the promise under the message's delivery tag. The message id is set to that tag, so a
   * returned message finds its promise. Blocking; on the link's worker only.
   */
  void publish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties, byte[] body, Promise<Void> promise) {
    long tag = channel.getNextPublishSeqNo();
    pending.put(tag, new Pending(promise, System.nanoTime()));
    if (closed != null) {
      // the channel closed between our caller's check and now: failAll may have run before the put
      settle(take(tag, false), closed.getMessage());
      return;
    }
    try {
      channel.basicPublish(exchange, routingKey, mandatory, properties.builder().messageId(Long.toString(tag)).build(), body);
    } catch (IOException | RuntimeException e) {
      settle(take(tag, false), "publish failed: " + e.getMessage());
    }
  }

  boolean isOpen() {
    return closed == null && channel.isOpen();
  }

  /** Messages published and not yet confirmed or failed. */
  int unconfirmed() {
    return pending.size();
  }

  /** Fails the messages waiting longer than {@code timeoutMs} for their confirm. Any thread. */
  /**
   * Starts the periodic check that fails publishes whose confirm is overdue, on whichever publisher
   * {@code current} holds at the time (none while disconnected); returns the timer id.
   */
  static long watchExpiry(io.vertx.core.Vertx vertx, long confirmTimeoutMs, java.util.function.Supplier<ConfirmingPublisher> current) {
    long period = Math.max(100, Math.min(1_000, confirmTimeoutMs / 4));
    return vertx.setPeriodic(period, id -> {
      ConfirmingPublisher publisher = current.get();
      if (publisher != null) {
        publisher.expire(confirmTimeoutMs);
      }
    });
  }

  void expire(long timeoutMs) {
    long cutoff = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    List<Pending> late = new ArrayList<>();
    for (Map.Entry<Long, Pending> entry : pending.entrySet()) {
      if (entry.getValue().sentAt - cutoff > 0) {
        break; // tags are in publish order, so the rest are younger
      }
      if (pending.remove(entry.getKey(), entry.getValue())) {
        late.add(entry.getValue());
      }
    }
    settle(late, "no confirm from the broker within " + timeoutMs + " ms");
  }

  /** Closes the channel; what still waits fails. Blocking. */
  void close() {
    failAll("publisher closed");
    Topology.closeQuietly(channel);
  }

  private void failAll(String reason) {
    if (closed == null) {
      closed = new PublishFailedException(reason);
    }
    List<Pending> all = new ArrayList<>();
    Map.Entry<Long, Pending> entry;
    while ((entry = pending.pollFirstEntry()) != null) {
      all.add(entry.getValue());
    }
    settle(all, reason);
  }

  private void acked(long tag, boolean multiple) {
    settle(take(tag, multiple), null);
  }

  private void nacked(long tag, boolean multiple) {
    settle(take(tag, multiple), "the broker refused the message (nack)");
  }

  /** Comes before the ack of the same message, on the same thread. */
  private void returned(Return message) {
    String id = message.getProperties().getMessageId();
    Pending entry;
    try {
      entry = id == null ? null : pending.get(Long.parseLong(id));
    } catch (NumberFormatException e) {
      entry = null;
    }
    if (entry != null) {
      entry.returned = "unroutable: " + message.getReplyText() + " (exchange " + message.getExchange() + ", key " + message.getRoutingKey() + ")";
    }
  }

  private List<Pending> take(long tag, boolean multiple) {
    if (!multiple) {
      Pending entry = pending.remove(tag);
      return entry == null ? List.of() : List.of(entry);
    }
    List<Pending> entries = new ArrayList<>();
    for (Long covered : pending.headMap(tag, true).keySet()) {
      Pending entry = pending.remove(covered);
      if (entry != null) {
        entries.add(entry);
      }
    }
    return entries;
  }

  private void settle(List<Pending> entries, String failure) {
    if (entries.isEmpty()) {
      return;
    }
    context.runOnContext(ignored -> {
      for (Pending entry : entries) {
        String reason = failure != null ? failure : entry.returned;
        if (reason == null) {
          entry.promise.tryComplete();
        } else {
          entry.promise.tryFail(new PublishFailedException(reason));
        }
      }
    });
  }

  private static final class Pending {
    final Promise<Void> promise;
    final long sentAt;
    /** Set by a basic.return on the connection thread, read when the ack for it comes on the same thread. */
    volatile String returned;

    Pending(Promise<Void> promise, long sentAt) {
      this.promise = promise;
      this.sentAt = sentAt;
    }
  }
}
