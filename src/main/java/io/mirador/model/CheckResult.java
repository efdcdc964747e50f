package io.mirador.model;

import static io.mirador.model.InvalidEventException.require;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Body of a {@code check} event; {@code status} is Nagios's: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
public record CheckResult(
    String check,
    int status,
    String output,
    List<Sample> perfdata,
    @JsonProperty("duration_ms") long durationMs,
    long executed) implements EventBody {

  public static final int MAX_OUTPUT = 64 * 1024;

  public CheckResult {
    perfdata = perfdata == null ? List.of() : perfdata;
    output = output == null ? "" : output;
  }

  @Override
  public void validate() {
    require(check != null && Envelope.NAME.matcher(check).matches(), "check name must match " + Envelope.NAME.pattern());
    require(status >= 0 && status <= 3, "status must be 0..3 (OK, WARNING, CRITICAL, UNKNOWN), got " + status);
    require(output.length() <= MAX_OUTPUT, "check output longer than " + MAX_OUTPUT + " chars");
    require(durationMs >= 0, "duration_ms must not be negative");
    if (executed <= 0 || executed > Envelope.MAX_TS) {
      throw new InvalidEventException("invalid", Envelope.outOfRange("executed", executed));
    }
    perfdata.forEach(Sample::validate);
  }
}
