package io.mirador.store;

import io.mirador.hub.cluster.Fence;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** The agents the hub knows, with their ingest counters and liveness. Entries are made by {@link IngestStore#write}. */
public interface AgentRegistry {

  /** All agents the hub knows, in no particular order. */
  Future<List<AgentRecord>> agents();

  Future<Optional<AgentRecord>> agent(String agentId);

  /** Forgets an agent with its series, check results and counters; false when it was unknown. */
  Future<Boolean> removeAgent(String agentId);

  /**
   * Compare-and-set of an agent's liveness: moves it from {@code from} to {@code to} (since {@code at}) only when its
   * status is {@code from} now and, when {@code fence} is given, that lease is still held with that token — checked
   * in the same atomic step as the write. Only the caller that gets {@link Transition#APPLIED} made the change, so only
   * it publishes it: however many sweepers judge the same agent, each change is announced once.
   */
  Future<Transition> transition(String agentId, AgentStatus from, AgentStatus to, long at, Fence fence);

  /** The outcome of {@link #transition}. */
  enum Transition {
    /** The status was {@code from} and is now {@code to}. */
    APPLIED,
    /** The status was not {@code from} (someone else changed it first): nothing written. */
    CONFLICT,
    /** No such agent: nothing written. */
    UNKNOWN_AGENT,
    /** The fence's lease has another token or lapsed: the caller is no longer the owner, nothing written. */
    FENCED
  }
}
