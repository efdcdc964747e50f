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

    /** Stored: the agent may forget it. */
    void ack();

    /** Invalid: dead-lettered with the reason, never redelivered. */
    void reject(String reason);

    /** Not stored for a passing reason (storage down): delivered again later. */
    void requeue(String reason);
  }
}
