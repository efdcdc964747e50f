package io.mirador.transport;

import io.mirador.model.Envelope;
import io.vertx.core.Future;
import io.vertx.core.Handler;

/** The hub's side of the wire: raw events in from agents (competing consumers), commands out to one agent. */
public interface HubTransport {

  /** Starts consuming; every delivery must end in exactly one of ack, reject or requeue. */
  Future<Void> consume(Handler<Delivery> handler);

  /** Sends a command to one agent; succeeds once the transport has taken it. */
  Future<Void> sendToAgent(String agentId, Envelope command);

  Future<Void> close();

  /** Whether the transport is connected to its broker now; the event bus is always there. */
  default boolean connected() {
    return true;
  }

  /** One message from an agent, with the three ways it can end. */
  interface Delivery {

    byte[] body();

    /** The routing key it was published with ({@code <type>.<agent-id>}); null on a transport without one. */
    default String routingKey() {
      return null;
    }

    /** A message header's value, or null (always null on a transport without headers). */
    default Object header(String name) {
      return null;
    }

    /**
     * How many times this message was delivered before, as far as the transport knows: a quorum queue counts them
     * ({@code x-delivery-count}); 0 when the transport cannot tell.
     */
    default long redeliveries() {
      return 0;
    }

    /** Stored: the agent may forget it. */
    void ack();

    /** Invalid: dead-lettered with the reason, never redelivered. */
    void reject(String reason);

    /** Not stored, for a reason that may pass (storage down, or a failure tried again a bounded number of times): delivered again later. */
    void requeue(String reason);
  }
}
