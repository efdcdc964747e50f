package io.mirador.hub.sched;

import io.vertx.core.json.JsonObject;

/**
 * One agent's part in a job, as stored and shown. Times are epoch ms, 0 while not reached: {@code dispatchedAt} when
 * the hub sent the job, {@code deadline} when the hub gives up waiting for a result, {@code startedAt}/{@code endedAt}
 * as the agent ran the script.
 */
public record Target(int index, String agent, String hostname, TargetState state, Integer exitCode, String stdout, String stderr,
    long dispatchedAt, long deadline, long startedAt, long endedAt, String reason) {

  static Target waiting(int index, String agent, String hostname) {
    return new Target(index, agent, hostname, TargetState.WAITING, null, "", "", 0, 0, 0, 0, null);
  }

  Target with(TargetState state, String reason) {
    return new Target(index, agent, hostname, state, exitCode, stdout, stderr, dispatchedAt, deadline, startedAt, endedAt, reason);
  }

  Target dispatched(long at, long until) {
    return new Target(index, agent, hostname, TargetState.RUNNING, null, stdout, stderr, at, until, 0, 0, null);
  }

  Target output(String out, String err) {
    return new Target(index, agent, hostname, state, exitCode, out, err, dispatchedAt, deadline, startedAt, endedAt, reason);
  }

  Target ended(TargetState end, Integer code, String out, String err, long started, long ended, String why) {
    return new Target(index, agent, hostname, end, code, out, err, dispatchedAt, deadline, started, ended, why);
  }

  public long durationMs() {
    return startedAt > 0 && endedAt >= startedAt ? endedAt - startedAt : 0;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("index", index).put("agent", agent).put("hostname", hostname).put("state", state.name())
        .put("exitCode", exitCode).put("stdout", stdout).put("stderr", stderr).put("dispatchedAt", dispatchedAt).put("deadline", deadline)
        .put("startedAt", startedAt).put("endedAt", endedAt).put("durationMs", durationMs());
    if (reason != null) {
      json.put("reason", reason);
    }
    return json;
  }

  public static Target fromJson(JsonObject json) {
    return new Target(json.getInteger("index", 0), json.getString("agent"), json.getString("hostname", ""),
        TargetState.valueOf(json.getString("state")), json.getInteger("exitCode"), json.getString("stdout", ""), json.getString("stderr", ""),
        json.getLong("dispatchedAt", 0L), json.getLong("deadline", 0L), json.getLong("startedAt", 0L), json.getLong("endedAt", 0L),
        json.getString("reason"));
  }
}
