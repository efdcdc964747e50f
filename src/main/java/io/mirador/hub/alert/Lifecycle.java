package io.mirador.hub.alert;

import io.mirador.hub.alert.AlertState.State;

/**
 * The life of one alert as a pure function of what it was, what the rule's condition says now, and the time:
 * inactive → pending → firing → resolved, Prometheus's rules (Alertmanager's {@code keep_firing_for} included).
 *
 * <ul>
 *   <li>inactive or resolved, condition true: pending, or firing at once when {@code for} is 0;</li>
 *   <li>pending, condition true for {@code for}: firing; pending, condition false: forgotten (null), nothing was told;</li>
 *   <li>firing, condition false for {@code keepFiringFor} (0: at once): resolved;</li>
 *   <li>anything else: as it was (the same object, so a caller can tell nothing changed).</li>
 * </ul>
 */
public final class Lifecycle {

  private Lifecycle() {
  }

  /**
   * @param prior  the alert as it was, null when inactive
   * @param fresh  the alert to start from when it becomes active (labels, annotations; state is ignored)
   */
  public static AlertState step(AlertState prior, AlertState fresh, boolean active, double value, long now, long forMs, long keepFiringForMs) {
    if (prior == null || prior.state() == State.RESOLVED) {
      if (!active) {
        return prior;
      }
      return forMs == 0
          ? fresh.with(State.FIRING, value, now, now, 0, now, true)
          : fresh.with(State.PENDING, value, now, 0, 0, now, true);
    }
    if (prior.state() == State.PENDING) {
      if (!active) {
        return null;
      }
      if (now - prior.activeAt() >= forMs) {
        return prior.with(State.FIRING, value, prior.activeAt(), now, 0, now, true);
      }
      return prior.with(State.PENDING, value, prior.activeAt(), 0, 0, now, true);
    }
    // firing
    if (active) {
      return prior.with(State.FIRING, value, prior.activeAt(), prior.firedAt(), 0, now, true);
    }
    if (now - prior.lastActiveAt() >= keepFiringForMs) {
      return prior.with(State.RESOLVED, value, prior.activeAt(), prior.firedAt(), now, prior.lastActiveAt(), false);
    }
    return prior.with(State.FIRING, value, prior.activeAt(), prior.firedAt(), 0, prior.lastActiveAt(), false);
  }
}
