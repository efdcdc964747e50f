package io.mirador.hub.alert.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;

/**
 * {@code slack}: a Slack incoming webhook. Fields: {@code url} (required, a secret: the URL is the credential),
 * {@code channel}, {@code username}, {@code iconEmoji} (optional overrides). The message is the notification's title
 * and one line per alert, with its summary annotation when it has one.
 */
public final class SlackNotifier implements Notifier {

  @Override
  public String type() {
    return "slack";
  }

  @Override
  public JsonObject validate(JsonObject settings) {
    Settings.only(type(), settings, Set.of("url", "channel", "username", "iconEmoji"));
    JsonObject valid = new JsonObject().put("url", HttpPost.requireUrl("url", settings.getValue("url")));
    for (String field : new String[] {"channel", "username", "iconEmoji"}) {
      if (settings.containsKey(field)) {
        valid.put(field, Settings.string(settings, field, null));
      }
    }
    return valid;
  }

  @Override
  public Set<String> secrets() {
    return Set.of("url");
  }

  /** Slack's message: {@code text} is the whole message, with the optional overrides. */
  static JsonObject message(JsonObject settings, Notification notification) {
    JsonObject message = new JsonObject().put("text", notification.text());
    if (settings.getString("channel") != null) {
      message.put("channel", settings.getString("channel"));
    }
    if (settings.getString("username") != null) {
      message.put("username", settings.getString("username"));
    }
    if (settings.getString("iconEmoji") != null) {
      message.put("icon_emoji", settings.getString("iconEmoji"));
    }
    return message;
  }

  @Override
  public Future<Void> send(NotifierContext context, NotifierConfig config, Notification notification) {
    return HttpPost.postJson(context, config.settings().getString("url"), message(config.settings(), notification), Map.of(), config.timeoutMs())
        .mapEmpty();
  }
}
