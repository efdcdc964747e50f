package io.mirador.transport.local;

import io.mirador.Addresses;
import io.mirador.model.EncodedEnvelope;
import io.mirador.model.Envelope;
import io.mirador.model.Wire;
import io.mirador.transport.AgentTransport;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the event-bus transport: an event is sent as its wire bytes to {@link Addresses#INGEST},
 * and the hub's reply plays the part of a broker confirm.
 */
public final class EventBusAgentTransport implements AgentTransport {

  private static final Logger LOG = LoggerFactory.getLogger(EventBusAgentTransport.class);

  private final Vertx vertx;
  private final String agentId;
  private final Wire wire = Wire.standard();
  private final DeliveryOptions options;
  private MessageConsumer<Buffer> commands;

  public EventBusAgentTransport(Vertx vertx, String agentId, long timeoutMs) {
    this.vertx = vertx;
    this.agentId = agentId;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  @Override
  public Future<Void> publish(EncodedEnvelope event) {
    Buffer bytes = Buffer.buffer(event.bytes());
    return vertx.eventBus().request(Addresses.INGEST, bytes, options)
        .<Void>mapEmpty()
        .recover(failure -> {
          if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
              && reply.failureCode() == EventBusHubTransport.REJECTED) {
            // the hub took it and dead-lettered it: sending it again would not help
            LOG.warn("hub rejected {} seq {}: {}", event.type().wireName(), event.seq(), reply.getMessage());
            return Future.succeededFuture();
          }
          return Future.failedFuture(failure);
        });
  }

  @Override
  public Future<Void> onCommand(Handler<Envelope> handler) {
    // a check assignment can be megabytes of JSON: decoded on a worker, in order, never on the event loop
    commands = vertx.eventBus().consumer(Addresses.agentCommands(agentId), message ->
        vertx.executeBlocking(() -> wire.decode(message.body().getBytes()), true).onComplete(decoded -> {
          if (decoded.failed()) {
            message.fail(EventBusHubTransport.REJECTED, decoded.cause().getMessage());
            return;
          }
          handler.handle(decoded.result());
          message.reply(null);
        }));
    return commands.completion();
  }

  @Override
  public Future<Void> close() {
    return commands == null ? Future.succeededFuture() : commands.unregister();
  }
}
