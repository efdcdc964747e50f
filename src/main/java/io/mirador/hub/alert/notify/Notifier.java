package io.mirador.hub.alert.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A notifier plugin: one class per kind of receiver (webhook, email, Slack…), found with {@link java.util.ServiceLoader}
 * (listed in {@code META-INF/services/io.mirador.hub.alert.notify.Notifier}), carrying its own defaults and doc
 * (docs/ALERTING.md has a section per plugin).
 *
 * <p>A plugin is stateless: what it needs comes with each call, in its validated settings.
 */
public interface Notifier {

  /** The {@code type} users name in a notifier definition. */
  String type();

  /**
   * The plugin's own fields of a definition (everything but the common ones: type, match, groupBy, groupWait,
   * groupInterval, repeatInterval, sendResolved, timeout), with defaults filled in; an {@link IllegalArgumentException}
   * naming the first problem, unknown fields included.
   */
  JsonObject validate(JsonObject settings);

  /** Fields that are secrets: never logged, shown as {@value NotifierConfig#REDACTED} in API answers. */
  default Set<String> secrets() {
    return Set.of();
  }

  /**
   * Sends one notification; the future fails with the reason when the receiver did not take it. The caller bounds it
   * with the notifier's timeout and retries; a plugin should give its own I/O that timeout too, so nothing lingers.
   * An error message must never contain a secret.
   */
  Future<Void> send(NotifierContext context, NotifierConfig config, Notification notification);
}
