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
  /** Samples the store did not keep (series limit, retention, bucket limit): set by the store when it applied the batch. */
  private int refusedSamples;

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

  /** Told by the store when it applied this batch: how many of its samples it refused (not stored). */
  public void refusedSamples(int count) { this.refusedSamples = count; }

  /** Samples of this batch the store refused; 0 until it applied the batch. */
  public int refusedSamples() { return refusedSamples; }

  /** Samples of this batch the store really stored, once it applied the batch. */
  public int storedSamples() { return samples.size() - refusedSamples; }

  /** Null unless the event was a register or heartbeat. */
  public AgentInfo agentInfo() { return agentInfo; }

  public List<Sample> samples() { return Collections.unmodifiableList(samples); }

  public List<CheckResult> checkResults() { return Collections.unmodifiableList(checkResults); }
}
