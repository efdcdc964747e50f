package io.mirador.hub.checks;

import io.mirador.model.CheckDefinition;
import io.mirador.model.CheckResult;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the checks feature keeps: central definitions with a revision, and per agent and check the latest result
 * (written with the event by {@link io.mirador.store.IngestStore#write}), the status history and flapping.
 */
public interface CheckStore {

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
}
