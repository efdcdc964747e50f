package io.mirador.transport;

import io.mirador.model.EncodedEnvelope;
import io.mirador.model.Envelope;
import io.vertx.core.Future;
import io.vertx.core.Handler;

/** The agent's side of the wire: events out to the hub, commands in from it. */
public interface AgentTransport {

  /**
   * Hands one event to the hub, as the bytes it is given: the agent encodes each event once, off the event loop,
   * and publishes the same bytes it spooled. Succeeds once the other side has taken responsibility for it (a
   * broker confirm, or the hub's reply on the event bus): the agent may then forget it. Fails when it must be
   * kept and sent again later, or with {@link UndeliverableException} when sending it again can never succeed.
   */
  Future<Void> publish(EncodedEnvelope event);

  /** {@link #publish(EncodedEnvelope)} after encoding the event on the caller's thread. */
  default Future<Void> publish(Envelope event) {
    EncodedEnvelope encoded;
    try {
      encoded = EncodedEnvelope.of(event);
    } catch (RuntimeException e) {
      return Future.failedFuture(new UndeliverableException("cannot encode " + event.type().wireName() + " seq " + event.seq() + ": " + e.getMessage()));
    }
    return publish(encoded);
  }

  /**
   * Whether the other side can be reached right now. False means {@link #publish} would fail at once, so a
   * caller holding events back can wait for this rather than try; true promises nothing.
   */
  default boolean connected() {
    return true;
  }

  /** Starts delivering hub → agent commands for this agent to the handler. */
  Future<Void> onCommand(Handler<Envelope> handler);

  Future<Void> close();
}
