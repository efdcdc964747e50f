package io.mirador.util;

import org.slf4j.Logger;

/** Logs at most one line per period and says how many were left out, so a flood of bad input cannot flood the log. */
public final class RateLimitedLog {

  private final Logger log;
  private final long periodMs;
  private long nextAt;
  private long suppressed;

  public RateLimitedLog(Logger log, long periodMs) {
    this.log = log;
    this.periodMs = periodMs;
  }

  public void warn(String line) {
    long now = System.currentTimeMillis();
    if (now < nextAt) {
      suppressed++;
      return;
    }
    if (suppressed > 0) {
      log.warn("{} (and {} more like it since the last line)", line, suppressed);
    } else {
      log.warn(line);
    }
    suppressed = 0;
    nextAt = now + periodMs;
  }
}
