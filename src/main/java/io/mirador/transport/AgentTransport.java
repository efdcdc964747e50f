package io.mirador.transport;

import io.mirador.model.Envelope;
import io.vertx.core.Future;
import io.vertx.core.Handler;

/** The agent's side of the wire: events out to the hub, commands in from it. */
public interface AgentTransport {

  /**
   * Hands one event to the hub. Succeeds once the other side has taken responsibility for it (a broker
   * confirm, or the hub's reply on the event bus): the agent may then forget it. Fails when it must be kept
   * and sent again later.
   */
  Future<Void> publish(Envelope event);

  /** Starts delivering hub → agent commands for this agent to the handler. */
  Future<Void> onCommand(Handler<Envelope> handler);

  Future<Void> close();
}
