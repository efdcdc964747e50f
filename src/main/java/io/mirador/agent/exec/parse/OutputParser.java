package io.mirador.agent.exec.parse;

import io.mirador.model.MetricsBatch;

/**
 * Turns what an exec plugin wrote on standard output into samples (and, for Nagios plugins, a check status).
 *
 * <p>Every implementation is stateless and thread-safe, never throws, whatever the input, and is bounded: at most
 * {@value #MAX_SAMPLES} samples and {@value #MAX_ERRORS} errors per run (what goes beyond is counted in one more
 * {@link LineError}), and a line longer than {@value #MAX_LINE_LENGTH} characters is an error, not parsed.
 * A bad line costs that line only: the others still parse. Blank lines are ignored.
 */
public interface OutputParser {

  /** As many as one metrics event may carry. */
  int MAX_SAMPLES = MetricsBatch.MAX_SAMPLES;
  int MAX_ERRORS = 100;
  int MAX_LINE_LENGTH = 64 * 1024;

  /**
   * @param output the plugin's standard output ({@code null} reads as empty)
   * @param exitCode the plugin's exit code; only the Nagios format gives it a meaning
   * @param now epoch ms of this run, the timestamp of samples that carry none
   * @param checkName the configured check's name; the Nagios format puts it in metric names, others ignore it
   */
  Parsed parse(String output, int exitCode, long now, String checkName);
}
