package io.mirador.store.memory;

import io.mirador.hub.security.AuditEntry;
import io.mirador.hub.security.AuditStore;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The audit log of one standalone process: a capped deque, newest first. */
public final class MemoryAuditStore implements AuditStore {

  private final int max;
  private final ArrayDeque<AuditEntry> entries = new ArrayDeque<>();

  public MemoryAuditStore() {
    this(MAX_ENTRIES);
  }

  public MemoryAuditStore(int max) {
    this.max = max;
  }

  @Override
  public synchronized Future<Integer> append(AuditEntry entry) {
    entries.addFirst(entry);
    int dropped = 0;
    while (entries.size() > max) {
      entries.removeLast();
      dropped++;
    }
    return Future.succeededFuture(dropped);
  }

  @Override
  public synchronized Future<List<AuditEntry>> newest(int limit) {
    List<AuditEntry> list = new ArrayList<>(Math.min(limit, entries.size()));
    for (Iterator<AuditEntry> it = entries.iterator(); it.hasNext() && list.size() < limit; ) {
      list.add(it.next());
    }
    return Future.succeededFuture(list);
  }
}
