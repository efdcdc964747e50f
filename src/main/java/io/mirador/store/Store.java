package io.mirador.store;

import io.mirador.model.CheckDefinition;
import io.mirador.model.CheckResult;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the hub keeps what it must not lose: the agent registry, sequence bookkeeping, latest values and
 * the hot window of every series. The in-memory store is the standalone default; Redis is the production one.
 * Every implementation passes the same contract tests, and every method is safe to call from an event loop.
 */
public interface Store {

  /**
   * Applies one event's writes exactly once per (agent, seq): a seq seen before is a {@link Admission#DUPLICATE}
   * and changes nothing but the duplicate counter; a seq above the highest seen counts the skipped ones as gaps,
   * and a later arrival of a skipped seq fills its gap. The admission and the writes happen atomically.
   */
  Future<Admission> write(String agentId, long seq, WriteBatch batch);

  /** All agents the hub knows, in no particular order. */
  Future<List<AgentRecord>> agents();

  Future<Optional<AgentRecord>> agent(String agentId);

  /** Forgets an agent with its series and counters; false when it was unknown. */
  Future<Boolean> removeAgent(String agentId);

  /** Records the liveness the heartbeat verticle judged; no-op for an unknown agent. */
  Future<Void> setStatus(String agentId, AgentStatus status, long since);

  /** The latest value of each series of one agent. */
  Future<List<LatestValue>> latest(String agentId);

  /** Points of the matching series of one agent within [from, to], averaged per step when step > 0. */
  Future<List<SeriesData>> series(SeriesQuery query);

  /** How many statuses {@link #appendCheckStatus} keeps per agent and check: Nagios judges flapping on 21. */
  int CHECK_HISTORY = 21;

  /** The newest result of each check of one agent, by check name; empty for an unknown agent. */
  Future<Map<String, CheckResult>> latestCheckResults(String agentId);

  /**
   * Appends one status to the history of a check on an agent, keeping the last {@link #CHECK_HISTORY}, and returns
   * the history after it, oldest first. Atomic per (agent, check). Called once per stored check result.
   */
  Future<List<Integer>> appendCheckStatus(String agentId, String check, int status);

  /** Records whether a check on an agent is flapping. */
  Future<Void> setCheckFlapping(String agentId, String check, boolean flapping);

  /** The history and flapping state of each check of one agent, by check name. */
  Future<Map<String, CheckHistory>> checkHistories(String agentId);

  /** Every central check definition, by name. */
  Future<List<CheckDefinition>> checkDefinitions();

  Future<Optional<CheckDefinition>> checkDefinition(String name);

  /** The revision of the set of definitions: 0 before the first change, one more with each put or remove. */
  Future<Long> checkDefinitionsRevision();

  /** Creates or replaces a definition and bumps the revision, atomically. */
  Future<DefinitionChange> putCheckDefinition(CheckDefinition definition);

  /** Removes a definition and bumps the revision; an unknown name changes nothing ({@code existed} false). */
  Future<DefinitionChange> removeCheckDefinition(String name);

  /** Completes when the store can serve; fails with the reason when it cannot. */
  Future<Void> ping();

  /** Sizes and counters for /metrics, each with its HELP text, named without the {@code mirador_store_} prefix. */
  io.mirador.metrics.Stats stats();

  Future<Void> close();
}
