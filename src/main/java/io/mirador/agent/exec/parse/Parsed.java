package io.mirador.agent.exec.parse;

import io.mirador.model.Sample;
import java.util.List;

/**
 * What one run of a plugin said, once parsed.
 *
 * @param samples valid samples, at most {@link OutputParser#MAX_SAMPLES}
 * @param errors what could not be taken, at most {@link OutputParser#MAX_ERRORS} plus one summary line per overflow
 * @param status for {@link OutputFormat#NAGIOS}: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (any other exit code is 3);
 *     {@code null} for the metric formats
 * @param output for NAGIOS: the first line's text before {@code |}, the "service output"; {@code null} otherwise
 * @param longOutput for NAGIOS: the following text lines (without perfdata), {@code ""} when none; {@code null} otherwise
 */
public record Parsed(List<Sample> samples, List<LineError> errors, Integer status, String output, String longOutput) {

  public Parsed {
    samples = samples == null ? List.of() : List.copyOf(samples);
    errors = errors == null ? List.of() : List.copyOf(errors);
  }

  /** The result of a metric format: samples and errors, no check status. */
  public static Parsed metrics(List<Sample> samples, List<LineError> errors) {
    return new Parsed(samples, errors, null, null, null);
  }
}
