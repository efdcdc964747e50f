package io.mirador.agent.exec;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * How a command ended.
 *
 * @param exitCode the main process's exit code; null when it was killed at its timeout or never started
 * @param output the kept output (at most {@link CommandSpec#maxOutputBytes()} bytes), decoded as UTF-8
 *     with malformed bytes replaced by U+FFFD
 * @param truncated whether output was cut: more than maxOutputBytes were written
 * @param outputBytes how many bytes were written in total, kept or not
 * @param timedOut whether the command was killed at its timeout
 * @param duration from start to the end of the command and its clean-up
 * @param error why the command could not be run (such as "command not found: foo"); null when it ran
 */
public record CommandResult(
    Integer exitCode,
    String output,
    boolean truncated,
    long outputBytes,
    boolean timedOut,
    Duration duration,
    String error) {

  /** A command that was never started. */
  public static CommandResult notStarted(String error, Duration duration) {
    return new CommandResult(null, "", false, 0, false, duration, error);
  }

  /** Ran to completion with exit code 0. */
  public boolean succeeded() {
    return error == null && !timedOut && exitCode != null && exitCode == 0;
  }

  /** The message a check shows when its command was killed: "timed out after 10 s", "timed out after 0.5 s". */
  public static String timedOutMessage(Duration timeout) {
    BigDecimal seconds = BigDecimal.valueOf(timeout.toMillis(), 3).stripTrailingZeros();
    return "timed out after " + seconds.toPlainString() + " s";
  }
}
