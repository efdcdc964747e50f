package io.mirador.hub.security;

import io.vertx.core.Future;
import java.util.List;

/**
 * The audit log: the newest {@link #MAX_ENTRIES} changes, shared by every hub node. Older entries are dropped as new ones
 * come, and counted ({@code mirador_audit_entries_dropped_total}).
 */
public interface AuditStore {

  int MAX_ENTRIES = 10_000;

  /** Appends an entry; the answer is how many old entries it pushed out (0 or 1). */
  Future<Integer> append(AuditEntry entry);

  /** The newest entries first, at most {@code limit}. */
  Future<List<AuditEntry>> newest(int limit);
}
