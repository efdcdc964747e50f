package io.mirador.hub.alert.notify;

import io.mirador.hub.alert.AlertState;
import io.mirador.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/** What every notifier test needs: a Vert.x with an HTTP client, a notification of one firing and one resolved alert. */
abstract class NotifierFixture {

  static final long T0 = 1_700_000_000_000L;

  final Vertx vertx = Vertx.vertx();
  final NotifierContext context = new NotifierContext(vertx, vertx.createHttpClient());
  final Notifiers plugins = Notifiers.load();

  void closeVertx() {
    Await.result(vertx.close());
  }

  static Notification notification() {
    AlertState firing = new AlertState("00000000000000a1", "HighCpu", Map.of("alertname", "HighCpu", "severity", "critical", "agent", "a1",
        "hostname", "web-1"), Map.of("summary", "CPU 95% on web-1"), AlertState.State.FIRING, 95, T0, T0, 0, T0, true);
    AlertState resolved = new AlertState("00000000000000a2", "HighCpu", Map.of("alertname", "HighCpu", "severity", "critical", "agent", "a2",
        "hostname", "web-2"), Map.of("summary", "CPU 91% on web-2"), AlertState.State.RESOLVED, 12, T0, T0, T0 + 60_000, T0, false);
    return new Notification("ops", "{}:{alertname=\"HighCpu\"}", Map.of("alertname", "HighCpu"), List.of(firing, resolved), "http://mirador.test");
  }

  NotifierConfig config(String name, JsonObject json) {
    return NotifierConfig.parse(name, json, plugins, null);
  }

  Future<Void> send(NotifierConfig config) {
    return plugins.get(config.type()).send(context, config, notification());
  }

  Throwable failure(NotifierConfig config) {
    try {
      Await.result(send(config));
    } catch (Throwable e) {
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      return cause;
    }
    throw new AssertionError("the send should have failed");
  }
}
