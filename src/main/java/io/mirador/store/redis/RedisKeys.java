package io.mirador.store.redis;

/**
 * Every key the Redis store touches, in one place (docs/REDIS.md describes them). Scripts never build keys: they
 * are handed every key they touch, as Redis asks.
 */
final class RedisKeys {

  /**
   * The field of every latest hash that is no series (series fields start with a metric name): its long value keeps
   * the hash in Redis's hashtable encoding, whose lookups do not scan (see write.lua).
   */
  static final String ENCODING_MARK = "#";

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

  /** Hash: series field → "id ts value": the series' short id and its newest point; also the agent's series index. */
  String latest(String agentId) {
    return prefix + "latest:" + agentId;
  }

  /** Hash: check name → "executed json" of its newest result. */
  String results(String agentId) {
    return prefix + "results:" + agentId;
  }

  /** Hash: check name → its last statuses as digits, oldest first ("0021"), at most Store.CHECK_HISTORY. */
  String history(String agentId) {
    return prefix + "history:" + agentId;
  }

  /** Set: the names of the checks of one agent that are flapping. */
  String flapping(String agentId) {
    return prefix + "flapping:" + agentId;
  }

  /** Hash: check name → its definition as JSON (CheckDefinition.toJson). */
  String checks() {
    return prefix + "checks";
  }

  /** String: the revision of the check definitions, INCR'd with each change. */
  String checksRevision() {
    return prefix + "checks:revision";
  }

  /** String: the points of all series of one agent in one time bucket, appended batch by batch. */
  String points(String agentId, long bucket) {
    return prefix + "pts:" + agentId + ":" + bucket;
  }

  /** Hash {owner, token, since} with a TTL: the lease of one piece of single-owner work (see RedisLeases). */
  String lease(String name) {
    return prefix + "lease:" + name;
  }

  /** Hash: hub node id → the node's JSON, with lastSeen from Redis's clock (see RedisNodes). */
  String nodes() {
    return prefix + "nodes";
  }

  /** String: the hub's key pairs as JSON, set once for the cluster (see RedisAgentKeys). */
  String enrollHub() {
    return prefix + "enroll:hub";
  }

  /** Hash: agent id → the enrolled agent's key JSON. */
  String enrollKeys() {
    return prefix + "enroll:keys";
  }

  /** Hash: agent id → its pending enrollment request's JSON. */
  String enrollPending() {
    return prefix + "enroll:pending";
  }

  /** Hash: token id → the token's JSON (its derived key, never the token); uses left in {@link #enrollUses}. */
  String enrollTokens() {
    return prefix + "enroll:tokens";
  }

  /** Hash: token id → uses left ({@code -1}: unlimited). */
  String enrollUses() {
    return prefix + "enroll:uses";
  }

  /** Hash: rule name → the rule's JSON (Rule.toJson). */
  String alertRules() {
    return prefix + "alert:rules";
  }

  /** Hash: notifier name → its definition with secrets (NotifierConfig.toStored). */
  String alertNotifiers() {
    return prefix + "alert:notifiers";
  }

  /** Hash: silence id → the silence's JSON. */
  String alertSilences() {
    return prefix + "alert:silences";
  }

  /** Hash: fingerprint → the alert state's JSON; written fenced (alert_save.lua). */
  String alertStates() {
    return prefix + "alert:states";
  }

  /** Hash: notifier NUL group key → the notification log entry's JSON; written fenced (alert_log.lua). */
  String alertLog() {
    return prefix + "alert:nflog";
  }

  /** Hash: fingerprint → JSON array of the alert's last notification records. */
  String alertRecords() {
    return prefix + "alert:sent";
  }

  /** Hash: job id → the job's header JSON (JobPlan.header). */
  String jobHeaders() {
    return prefix + "job:headers";
  }

  /** Zset: job id → created at (epoch ms): the jobs list, and which go first beyond JobStore.MAX_JOBS. */
  String jobIndex() {
    return prefix + "job:index";
  }

  /** Set: ids of jobs not ended. */
  String jobOpen() {
    return prefix + "job:open";
  }

  /** Hash: agent id → the target's JSON, of one job. */
  String jobTargets(String id) {
    return prefix + "job:targets:" + id;
  }

  /** Set: ids of jobs asked to be cancelled and not ended. */
  String jobCancels() {
    return prefix + "job:cancels";
  }

  /** Hash: template name → its newest version number. */
  String jobTemplates() {
    return prefix + "job:templates";
  }

  /** Hash: version number → the template's JSON, of one template. */
  String jobTemplate(String name) {
    return prefix + "job:template:" + name;
  }

  /** Hash: schedule (template name) → the last tick it ran at (epoch ms); written fenced (job_tick.lua). */
  String jobTicks() {
    return prefix + "job:ticks";
  }

  /** Hash: user name → the user's JSON (with its password hash). */
  String users() {
    return prefix + "auth:users";
  }

  /** Hash: SHA-256 of a token's secret → the token's JSON. */
  String tokens() {
    return prefix + "auth:tokens";
  }

  /** String: the key sessions are signed with, shared by every hub node. */
  String sessionKey() {
    return prefix + "auth:session-key";
  }

  /** String with a TTL: a session ended (logged out) before its expiry. */
  String endedSession(String sessionId) {
    return prefix + "auth:ended:" + sessionId;
  }

  /** String: set once, by the node that made the first-start admin token. */
  String firstStart() {
    return prefix + "auth:first-start";
  }

  /** List: audit entries as JSON, newest first, capped. */
  String audit() {
    return prefix + "audit";
  }
}
