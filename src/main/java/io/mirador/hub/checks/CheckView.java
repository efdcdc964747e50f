package io.mirador.hub.checks;

import io.mirador.hub.AgentView;
import io.mirador.model.CheckResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The JSON the REST API and the live feed show of check results: one shape for both. */
public final class CheckView {

  private CheckView() {
  }

  /** One result as GET /api/v1/results and the live feed show it. */
  public static JsonObject json(String agent, CheckResult result, List<Integer> statuses, boolean flapping, double percent) {
    JsonArray perfdata = new JsonArray();
    result.perfdata().forEach(sample -> perfdata.add(AgentView.json(sample)));
    return new JsonObject()
        .put("agent", agent)
        .put("check", result.check())
        .put("status", result.status())
        .put("state", stateName(result.status()))
        .put("output", result.output())
        .put("perfdata", perfdata)
        .put("executed", result.executed())
        .put("duration_ms", result.durationMs())
        .put("history", new JsonArray(List.copyOf(statuses)))
        .put("flapping", flapping)
        .put("percentStateChange", Math.round(percent * 100) / 100.0);
  }

  public static String stateName(int status) {
    return switch (status) {
      case 0 -> "OK";
      case 1 -> "WARNING";
      case 2 -> "CRITICAL";
      default -> "UNKNOWN";
    };
  }

  /** The JSON of a stored result with its history, for the REST API. */
  public static JsonObject json(String agent, CheckResult result, CheckHistory history) {
    List<Integer> statuses = history == null ? List.of(result.status()) : history.statuses();
    return json(agent, result, statuses, history != null && history.flapping(), Flapping.percentStateChange(statuses));
  }
}
