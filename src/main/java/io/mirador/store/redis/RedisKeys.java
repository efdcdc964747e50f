package io.mirador.store.redis;

/**
 * Every key the Redis store touches, in one place (docs/REDIS.md describes them). The write script receives the
 * keys it writes from here; only the removal script builds point keys itself, from {@link #pointsOf} and the
 * series fields, in the same shape as {@link #points}.
 */
final class RedisKeys {

  private final String prefix;

  RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  String prefix() {
    return prefix;
  }

  /** Zset: agent id → last seen (epoch ms). */
  String agents() {
    return prefix + "agents";
  }

  /** Hash: the registry entry and the ingest counters of one agent. */
  String agent(String agentId) {
    return prefix + "agent:" + agentId;
  }

  /** Zset: the missing seq ranges of one agent, member = last seq of a range, score = its first. */
  String seq(String agentId) {
    return prefix + "seq:" + agentId;
  }

  /** Hash: series field → "ts value" of its newest point; also the agent's series index. */
  String latest(String agentId) {
    return prefix + "latest:" + agentId;
  }

  /** Hash: check name → "executed json" of its newest result. */
  String results(String agentId) {
    return prefix + "results:" + agentId;
  }

  /** The common start of one agent's point keys. */
  String pointsOf(String agentId) {
    return prefix + "pts:" + agentId + ":";
  }

  /** String: the points of one series in one time bucket, appended as they come. */
  String points(String agentId, long bucket, String seriesField) {
    return pointsOf(agentId) + bucket + ":" + seriesField;
  }
}
