package io.mirador.store;

import java.util.Map;

/**
 * Which points to read: one agent, a metric name (exact, or a prefix ending in {@code .*}), tags that must
 * all match, a closed time range in epoch ms, and a step in ms ({@code 0} = raw points).
 */
public record SeriesQuery(String agent, String metric, Map<String, String> tags, long from, long to, long step) {

  public boolean matchesMetric(String name) {
    if (metric == null || metric.isEmpty()) {
      return true;
    }
    if (metric.endsWith(".*")) {
      return name.startsWith(metric.substring(0, metric.length() - 1));
    }
    return metric.equals(name);
  }

  public boolean matchesTags(Map<String, String> seriesTags) {
    for (Map.Entry<String, String> wanted : tags.entrySet()) {
      if (!wanted.getValue().equals(seriesTags.get(wanted.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
