package io.mirador.transport.local;

import io.mirador.Addresses;
import io.mirador.model.Envelope;
import io.mirador.model.Wire;
import io.mirador.transport.HubTransport;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * The hub's side of the event-bus transport. Several channel instances consume {@link Addresses#INGEST}
 * and the event bus hands each message to one of them, as competing consumers on a queue.
 * A reply acks, a failure with {@link #REJECTED} dead-letters, one with {@link #REQUEUE} asks the agent to resend.
 */
public final class EventBusHubTransport implements HubTransport {

  static final int REJECTED = 400;
  static final int REQUEUE = 503;

  private final Vertx vertx;
  private final Wire wire = Wire.standard();
  private MessageConsumer<Buffer> consumer;

  public EventBusHubTransport(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<Void> consume(Handler<Delivery> handler) {
    consumer = vertx.eventBus().consumer(Addresses.INGEST, message -> handler.handle(new EventBusDelivery(message)));
    return consumer.completion();
  }

  @Override
  public Future<Void> sendToAgent(String agentId, Envelope command) {
    // a check assignment can be megabytes of JSON: encoded on a worker, in order, never on the event loop
    return vertx.executeBlocking(() -> Buffer.buffer(wire.encode(command)), true)
        .compose(body -> vertx.eventBus().request(Addresses.agentCommands(agentId), body)).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private record EventBusDelivery(Message<Buffer> message) implements Delivery {

    @Override
    public byte[] body() {
      return message.body().getBytes();
    }

    @Override
    public void ack() {
      message.reply(null);
    }

    @Override
    public void reject(String reason) {
      message.fail(REJECTED, reason);
    }

    @Override
    public void requeue(String reason) {
      message.fail(REQUEUE, reason);
    }
  }
}
