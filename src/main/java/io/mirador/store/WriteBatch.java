package io.mirador.store;

import io.mirador.model.AgentInfo;
import io.mirador.model.CheckResult;
import io.mirador.model.Sample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The writes one event causes, collected by the engine's handlers and applied by {@link Store#write} in one go.
 * Every batch refreshes the agent's {@code lastSeen}.
 */
public final class WriteBatch {

  private final long receivedAt;
  private AgentInfo agentInfo;
  private final List<Sample> samples = new ArrayList<>();
  private final List<CheckResult> checkResults = new ArrayList<>();

  public WriteBatch(long receivedAt) {
    this.receivedAt = receivedAt;
  }

  /** Creates or refreshes the agent's registry entry from a register or heartbeat. */
  public WriteBatch agentInfo(AgentInfo info) {
    this.agentInfo = info;
    return this;
  }

  public WriteBatch samples(List<Sample> batch) {
    samples.addAll(batch);
    return this;
  }

  public WriteBatch checkResult(CheckResult result) {
    checkResults.add(result);
    return this;
  }

  public long receivedAt() { return receivedAt; }

  /** Null unless the event was a register or heartbeat. */
  public AgentInfo agentInfo() { return agentInfo; }

  public List<Sample> samples() { return Collections.unmodifiableList(samples); }

  public List<CheckResult> checkResults() { return Collections.unmodifiableList(checkResults); }
}
