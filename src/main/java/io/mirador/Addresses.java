package io.mirador;

/**
 * Every event-bus address Mirador uses. Anything under {@link #LIVE_PREFIX} may be bridged to browsers;
 * nothing else is.
 */
public final class Addresses {

  private Addresses() {
  }

  /** Event-bus transport (standalone): agents request here with the encoded envelope, a reply is the confirm. */
  public static final String INGEST = "mirador.ingest";

  /**
   * Enrollment: a JSON {@code {"agent": id}} asks a channel (any node) to send that agent its {@code enrolled} command,
   * after an admin accepted its key; replies once the transport took it.
   */
  public static final String ENROLL_SEND = "mirador.hub.enroll.send";

  /** Enrollment: an agent's key was enrolled, replaced or revoked (the agent id as a string); channels forget what they cached. */
  public static final String ENROLL_CHANGED = "mirador.hub.enroll.changed";

  /** Hub engine: takes decoded {@link io.mirador.model.Envelope}s, replies once they are stored. */
  public static final String ENGINE = "mirador.engine.events";

  /** {@link io.mirador.hub.events.AgentRegistered}: the engine stored an agent's register event. */
  public static final String AGENT_REGISTERED = "mirador.hub.agent.registered";

  /** {@link io.mirador.hub.events.AgentHeartbeat}: the engine stored an agent's heartbeat. */
  public static final String AGENT_HEARTBEAT = "mirador.hub.agent.heartbeat";

  /** {@link io.mirador.hub.events.AgentStatusChanged}: the heartbeat role changed an agent's liveness. */
  public static final String AGENT_STATUS = "mirador.hub.agent.status";

  /** {@link io.mirador.hub.events.CheckStateChanged}: a check changed status on an agent, or started or stopped flapping. */
  public static final String CHECK_STATE = "mirador.hub.check.state";

  /** {@link io.mirador.hub.events.ChecksChanged}: a check definition was created, replaced or removed. */
  public static final String CHECKS_CHANGED = "mirador.hub.checks.changed";

  /** {@link io.mirador.hub.events.SamplesStored}: stored samples some alert rule names, for the alert role. */
  public static final String ALERT_SAMPLES = "mirador.hub.alert.samples";

  /** {@link io.mirador.hub.events.CheckResultStored}: stored results of checks some alert rule names, for the alert role. */
  public static final String ALERT_CHECK_RESULTS = "mirador.hub.alert.checks";

  /** {@link io.mirador.hub.events.AlertConfigChanged}: a rule, notifier or silence changed through the API. */
  public static final String ALERT_CONFIG = "mirador.hub.alert.config";

  /** {@link io.mirador.hub.events.AlertsChanged}: the alert role stored alert transitions. */
  public static final String ALERTS_CHANGED = "mirador.hub.alert.changed";

  /** {@link io.mirador.hub.events.JobsChanged}: a job was submitted, asked to be cancelled, or moved on. */
  public static final String JOBS_CHANGED = "mirador.hub.jobs.changed";

  /**
   * {@link io.mirador.hub.events.JobReport}: a job's result or output line from the engine, a request answered by the
   * sched owner once stored (only the owner listens).
   */
  public static final String SCHED_REPORTS = "mirador.hub.sched.reports";

  /** {@link io.mirador.hub.events.RemediationRequested}: an alert that names a remediation template fired. */
  public static final String SCHED_REMEDIATION = "mirador.hub.sched.remediation";

  /** Prefix of everything the dashboard may receive; the SockJS bridge permits this and nothing else. */
  public static final String LIVE_PREFIX = "mirador.live.";

  /** Registry changes and status changes of agents, for the dashboard. */
  public static final String LIVE_AGENTS = LIVE_PREFIX + "agents";

  /** Alert transitions (JSON: count, firing, pending), for the dashboard's alert count and panel. */
  public static final String LIVE_ALERTS = LIVE_PREFIX + "alerts";

  /** Jobs as they move (JSON: the job's header with counts), for the dashboard's jobs panel. */
  public static final String LIVE_JOBS = LIVE_PREFIX + "jobs";

  /** Every check result as it is stored, with history and flapping (the JSON of GET /api/v1/results), for the dashboard. */
  public static final String LIVE_RESULTS = LIVE_PREFIX + "results";

  /**
   * Web verticles announce here which live addresses their browsers listen to (JSON: node, addresses); see
   * {@link io.mirador.hub.LiveInterest}. Not under {@link #LIVE_PREFIX}: browsers have no business with it.
   */
  public static final String LIVE_INTEREST = "mirador.interest.live";

  /** An engine that starts asks here, and every web verticle announces its interest again. */
  public static final String LIVE_INTEREST_QUERY = "mirador.interest.live.query";

  /** Samples of one agent as they are stored, for the dashboard's charts; published only while a browser listens. */
  public static String liveMetrics(String agentId) {
    return LIVE_PREFIX + "metrics." + agentId;
  }

  /** Inside one agent: events from the monitor and heartbeat verticles to that agent's channel. */
  public static String agentOutbox(String agentId) {
    return "mirador.agent." + agentId + ".outbox";
  }

  /** Event-bus transport (standalone): commands from the hub to one agent. */
  public static String agentCommands(String agentId) {
    return "mirador.agent." + agentId + ".commands";
  }

  /** Inside one agent: the check assignment (JSON: revision, checks) from its engine, for its check scheduler. */
  public static String agentChecks(String agentId) {
    return "mirador.agent." + agentId + ".checks";
  }

  /** Inside one agent: commands received by its channel, for its engine. */
  public static String agentEngine(String agentId) {
    return "mirador.agent." + agentId + ".engine";
  }
}
