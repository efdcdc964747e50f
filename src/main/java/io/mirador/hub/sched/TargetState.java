package io.mirador.hub.sched;

import java.util.Locale;

/** Where one target of a job is. Every state but WAITING and RUNNING is final: the first one reached stays. */
public enum TargetState {
  WAITING, RUNNING, SUCCEEDED, FAILED, TIMED_OUT, UNREACHABLE, CANCELLED, SKIPPED;

  public boolean ended() {
    return this != WAITING && this != RUNNING;
  }

  /** What counts against failRate and failCount: the script failed, was killed at its timeout, or never answered. */
  public boolean failure() {
    return this == FAILED || this == TIMED_OUT || this == UNREACHABLE;
  }

  /** The state an agent's result names ({@code succeeded}, {@code timed_out}...); empty for anything else. */
  static java.util.Optional<TargetState> fromResult(String state) {
    try {
      TargetState parsed = valueOf(state.toUpperCase(Locale.ROOT));
      return parsed.ended() && parsed != SKIPPED && parsed != UNREACHABLE ? java.util.Optional.of(parsed) : java.util.Optional.empty();
    } catch (IllegalArgumentException | NullPointerException e) {
      return java.util.Optional.empty();
    }
  }
}
