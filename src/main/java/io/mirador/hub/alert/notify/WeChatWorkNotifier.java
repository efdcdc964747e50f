package io.mirador.hub.alert.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;

/**
 * {@code wechat}: a WeChat Work (企业微信) group robot. Field: {@code url} (required, a secret: the robot's webhook,
 * {@code https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…}). A markdown message (at most 4096 bytes, cut beyond);
 * a non-zero {@code errcode} in the answer is a failure.
 */
public final class WeChatWorkNotifier implements Notifier {

  static final int MAX_CONTENT = 4096;

  @Override
  public String type() {
    return "wechat";
  }

  @Override
  public JsonObject validate(JsonObject settings) {
    Settings.only(type(), settings, Set.of("url"));
    return new JsonObject().put("url", HttpPost.requireUrl("url", settings.getValue("url")));
  }

  @Override
  public Set<String> secrets() {
    return Set.of("url");
  }

  static JsonObject message(Notification notification) {
    String content = "**" + notification.title() + "**\n" + notification.text().lines().skip(1).map(l -> "> " + l).reduce("", (a, b) -> a + b + "\n");
    while (content.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_CONTENT) {
      content = content.substring(0, content.length() - 64) + "…";
    }
    return new JsonObject().put("msgtype", "markdown").put("markdown", new JsonObject().put("content", content));
  }

  @Override
  public Future<Void> send(NotifierContext context, NotifierConfig config, Notification notification) {
    return HttpPost.postJson(context, config.settings().getString("url"), message(notification), Map.of(), config.timeoutMs())
        .compose(DingTalkNotifier::errcode);
  }
}
