package io.mirador.hub.alert.notify;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code dingtalk}: a DingTalk group robot. Fields: {@code url} (required, a secret: the robot's webhook with its
 * access_token), {@code secret} (optional, a secret: the robot's "加签" signing secret; each request then carries
 * {@code timestamp} and {@code sign} = Base64(HmacSHA256(secret, timestamp + "\n" + secret)), URL-encoded, as DingTalk
 * asks). A markdown message; DingTalk answers 200 even on refusal, so a non-zero {@code errcode} is a failure.
 */
public final class DingTalkNotifier implements Notifier {

  @Override
  public String type() {
    return "dingtalk";
  }

  @Override
  public JsonObject validate(JsonObject settings) {
    Settings.only(type(), settings, Set.of("url", "secret"));
    JsonObject valid = new JsonObject().put("url", HttpPost.requireUrl("url", settings.getValue("url")));
    if (settings.containsKey("secret")) {
      valid.put("secret", Settings.string(settings, "secret", null));
    }
    return valid;
  }

  @Override
  public Set<String> secrets() {
    return Set.of("url", "secret");
  }

  /** The signature DingTalk checks: Base64 of HmacSHA256 over "timestamp\nsecret" keyed by the secret, URL-encoded. */
  static String sign(long timestamp, String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal((timestamp + "\n" + secret).getBytes(StandardCharsets.UTF_8));
      return URLEncoder.encode(Base64.getEncoder().encodeToString(digest), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  static JsonObject message(Notification notification) {
    return new JsonObject().put("msgtype", "markdown").put("markdown", new JsonObject().put("title", notification.title())
        .put("text", "### " + notification.title() + "\n\n" + notification.text().lines().skip(1).map(l -> "- " + l).reduce("", (a, b) -> a + b + "\n")));
  }

  @Override
  public Future<Void> send(NotifierContext context, NotifierConfig config, Notification notification) {
    String url = config.settings().getString("url");
    String secret = config.settings().getString("secret");
    if (secret != null && !secret.isEmpty()) {
      long now = System.currentTimeMillis();
      url = url + (url.contains("?") ? "&" : "?") + "timestamp=" + now + "&sign=" + sign(now, secret);
    }
    return HttpPost.postJson(context, url, message(notification), Map.of(), config.timeoutMs()).compose(DingTalkNotifier::errcode);
  }

  /** DingTalk and WeChat Work answer {"errcode":0,"errmsg":"ok"}; anything else is a refusal. */
  static Future<Void> errcode(Buffer answer) {
    try {
      JsonObject json = answer.toJsonObject();
      Integer code = json.getInteger("errcode");
      if (code != null && code != 0) {
        return Future.failedFuture(new IllegalStateException("refused: errcode " + code + " " + json.getString("errmsg", "")));
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalStateException("answer is not the JSON expected: " + e.getMessage()));
    }
    return Future.succeededFuture();
  }
}
