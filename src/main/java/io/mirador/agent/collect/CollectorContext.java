package io.mirador.agent.collect;

import io.vertx.core.json.JsonObject;
import oshi.SystemInfo;

/**
 * What a collector gets to work with.
 *
 * @param systemInfo one OSHI entry point shared by all collectors of the agent
 * @param config     the collector's own section, {@code agent.collectors.<name>}, possibly empty
 */
public record CollectorContext(SystemInfo systemInfo, JsonObject config) {
}
