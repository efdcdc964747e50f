package io.mirador.hub.alert.pipeline;

import io.mirador.hub.alert.LogEntry;
import java.util.Set;

/**
 * Stage 4, dedup against the notification log (Alertmanager's {@code DedupStage}): a group is notified only when
 * what it would tell differs from what the log says was told — a firing alert not told before, a resolve not told
 * before (when resolves are sent), everything resolved — or when {@code repeatInterval} has passed since.
 */
public final class Dedup {

  public enum Decision { SEND, SKIP, WAIT }

  private Dedup() {
  }

  /**
   * @param entry       the log's entry for this notifier and group, null when it never sent
   * @param claimTtlMs  how long a send in progress (claimed in the log) by this or another owner is waited for
   */
  public static Decision decide(LogEntry entry, Set<String> firing, Set<String> resolved, boolean sendResolved, long repeatMs,
      long claimTtlMs, long now) {
    if (entry != null && entry.claimedAt() > 0 && now - entry.claimedAt() < claimTtlMs) {
      return Decision.WAIT; // a send is in progress (perhaps by an owner that was just replaced): not twice
    }
    if (entry == null) {
      return firing.isEmpty() ? Decision.SKIP : Decision.SEND;
    }
    if (!entry.firing().containsAll(firing)) {
      return Decision.SEND;
    }
    if (!entry.firing().isEmpty() && firing.isEmpty()) {
      // all resolved: sent whatever sendResolved says, as in Alertmanager, so that the log forgets the firing alerts
      // (without resolves wanted, the sender only writes the log)
      return Decision.SEND;
    }
    if (sendResolved && !entry.resolved().containsAll(resolved)) {
      return Decision.SEND;
    }
    if (!firing.isEmpty() && now - entry.sentAt() >= repeatMs) {
      return Decision.SEND;
    }
    return Decision.SKIP;
  }
}
