package io.mirador.model;

import static io.mirador.model.InvalidEventException.require;

/** Body of a {@code log} event: one line an agent wants the hub to see (a job's output, a plugin's complaint). */
public record LogLine(String source, String level, String line, long ts) implements EventBody {

  public static final int MAX_LINE = 16 * 1024;

  @Override
  public void validate() {
    require(source != null && !source.isBlank(), "log source is required");
    require(line != null && line.length() <= MAX_LINE, "log line is required (at most " + MAX_LINE + " chars)");
  }
}
