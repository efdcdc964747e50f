package io.mirador.hub.sched;

import io.mirador.config.Settings;
import io.vertx.core.json.JsonObject;

/**
 * The {@code hub.jobs} section. {@code enabled} is off in hub mode unless set (env {@code MIRADOR_JOBS_ENABLED}): a job
 * runs code on every agent it targets, and until callers are authenticated whoever reaches the API could. Standalone
 * mode, bound to loopback, turns it on.
 */
public record JobsConfig(JsonObject section) {

  public static JobsConfig of(JsonObject config) {
    return new JobsConfig(Settings.section(config, "hub", "jobs"));
  }

  public boolean enabled() {
    return section.getBoolean("enabled", false);
  }

  /** How long after a target's timeout the hub still waits for its result before it calls the target UNREACHABLE. */
  public long graceMs() {
    return Settings.positiveInt(section, "graceMs", 15_000);
  }

  /** How often the owner looks at deadlines and schedules. */
  public long tickMs() {
    return Settings.positiveInt(section, "tickMs", 500);
  }

  /** Most jobs driven at once; a submission beyond is refused (409). */
  public int maxOpenJobs() {
    return Settings.positiveInt(section, "maxOpenJobs", 1_000);
  }

  /** Most bytes of a submission's body read (a script beyond {@link JobSpec#MAX_SCRIPT_BYTES} is refused anyway). */
  public int maxBodyBytes() {
    return Settings.positiveInt(section, "maxBodyBytes", 1024 * 1024);
  }
}
