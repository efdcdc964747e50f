package io.mirador.hub.alert;

import io.mirador.Addresses;
import io.mirador.hub.events.AlertConfigChanged;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.shareddata.Shareable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which metrics and checks some alert rule names, for the engine: it publishes stored samples and check results to the
 * alert role only when this says so, so a sample no rule names costs one hash lookup (and nothing at all while there is
 * no threshold or absent rule). Read from the {@link AlertStore} at start, after every {@link AlertConfigChanged} of a
 * rule (any node), and every {@value #REFRESH_MS} ms in case such an event was lost.
 */
public final class AlertIndex implements Shareable {

  private static final Logger LOG = LoggerFactory.getLogger(AlertIndex.class);
  static final long REFRESH_MS = 30_000;

  private final Vertx vertx;
  private final AlertStore store;
  private volatile Set<String> metrics = Set.of();
  private volatile Set<String> checks = Set.of();
  private final MessageConsumer<AlertConfigChanged> changes;
  private final long timer;

  public AlertIndex(Vertx vertx, AlertStore store) {
    this.vertx = vertx;
    this.store = store;
    this.changes = vertx.eventBus().consumer(Addresses.ALERT_CONFIG, message -> {
      if (message.body().what().equals(AlertConfigChanged.RULE)) {
        refresh();
      }
    });
    this.timer = vertx.setPeriodic(REFRESH_MS, id -> refresh());
    refresh();
  }

  public void refresh() {
    store.rules().onSuccess(this::use).onFailure(e -> LOG.warn("alert rules not read, index kept as it was: {}", e.toString()));
  }

  /** Uses these rules at once (the alert verticle, which has just read them). */
  public void use(List<Rule> rules) {
    Set<String> m = new HashSet<>();
    Set<String> c = new HashSet<>();
    for (Rule rule : rules) {
      if (rule.metric() != null) {
        m.add(rule.metric());
      }
      if (rule.check() != null) {
        c.add(rule.check());
      }
    }
    metrics = Set.copyOf(m);
    checks = Set.copyOf(c);
  }

  /** True when no rule names any metric: the engine skips its per-sample lookup altogether. */
  public boolean noMetrics() {
    return metrics.isEmpty();
  }

  public boolean namesMetric(String metric) {
    return metrics.contains(metric);
  }

  public boolean namesCheck(String check) {
    return checks.contains(check);
  }

  public void close() {
    vertx.cancelTimer(timer);
    changes.unregister();
  }
}
