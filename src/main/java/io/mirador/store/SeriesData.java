package io.mirador.store;

import java.util.List;
import java.util.Map;

/** Points of one series; each point is {@code [ts, value]} on the wire to keep responses small. */
public record SeriesData(String metric, Map<String, String> tags, List<Point> points) {

  public record Point(long ts, double value) {
  }
}
