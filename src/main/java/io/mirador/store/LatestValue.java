package io.mirador.store;

import java.util.Map;

/** The newest point of one series. */
public record LatestValue(String metric, Map<String, String> tags, double value, long ts) {
}
