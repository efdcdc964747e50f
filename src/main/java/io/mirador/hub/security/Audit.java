package io.mirador.hub.security;

import io.mirador.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the audit log. A feature's API records each change it made, once the change is done, in one line:
 * <pre>store.putCheckDefinition(definition).onSuccess(change -> { Audit.record(ctx, "check.put", name); ... })</pre>
 * Who and from where come from the request (its {@link Principal} and remote address), when from the clock. Actions
 * are {@code <thing>.<verb>}: check.put, check.remove, rule.put, notifier.remove, silence.create, user.put,
 * token.create, job.submit, ... A failed write is logged and counted, never failing the change it records.
 */
public final class Audit {

  /** Routing-context key of the node's {@link Audit}, put there by the web verticle. */
  public static final String KEY = "mirador.audit";

  private static final Logger LOG = LoggerFactory.getLogger("io.mirador.audit");

  private final AuditStore store;
  private final LongAdder dropped;
  private final LongAdder failures;

  public Audit(AuditStore store, Meters meters) {
    this.store = store;
    this.dropped = meters.counter("mirador_audit_entries_dropped_total", "Oldest audit entries dropped past the cap of the audit log");
    this.failures = meters.counter("mirador_audit_failures_total", "Audit entries that could not be written to the store");
  }

  /** Records that the caller of {@code ctx} did {@code action} to {@code target}. */
  public static Future<Void> record(RoutingContext ctx, String action, String target) {
    Audit audit = ctx.get(KEY);
    if (audit == null) {
      throw new IllegalStateException("no audit on " + ctx.request().path() + ": the web verticle puts it there");
    }
    Principal who = Access.principal(ctx);
    SocketAddress remote = ctx.request().remoteAddress();
    return audit.record(who, action, target, remote == null ? "" : remote.hostAddress());
  }

  /** Records a change made outside a request (the command line, first start). */
  public Future<Void> record(Principal who, String action, String target, String remote) {
    AuditEntry entry = new AuditEntry(System.currentTimeMillis(), who.name(), who.kind(), action, target == null ? "" : target, remote);
    LOG.info("{} ({}) {} {} from {}", entry.principal(), entry.kind(), entry.action(), entry.target(), entry.remote());
    return store.append(entry).<Void>map(pushedOut -> {
      dropped.add(pushedOut);
      return null;
    }).recover(failure -> {
      failures.increment();
      LOG.warn("audit entry {} {} not stored: {}", action, target, failure.toString());
      return Future.succeededFuture();
    });
  }
}
