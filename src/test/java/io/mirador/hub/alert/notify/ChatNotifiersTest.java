package io.mirador.hub.alert.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.testing.Await;
import io.mirador.testing.WebhookReceiver;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The HTTP notifiers, each against a real HTTP server on loopback: webhook, Slack, DingTalk, WeChat Work. */
class ChatNotifiersTest extends NotifierFixture {

  final WebhookReceiver receiver = new WebhookReceiver();

  @AfterEach
  void close() {
    receiver.close();
    closeVertx();
  }

  @Nested
  class Webhook {
    @Test
    void postsTheAlertmanagerPayloadWithItsHeadersAndCutsAtMaxAlerts() {
      Await.result(send(config("hook", new JsonObject().put("type", "webhook").put("url", receiver.url("/hook"))
          .put("headers", new JsonObject().put("Authorization", "Basic abc")).put("maxAlerts", 1))));
      WebhookReceiver.Received got = receiver.received.get(0);
      assertEquals("Basic abc", got.authorization());
      assertEquals("4", got.body().getString("version"));
      assertEquals("firing", got.body().getString("status"));
      assertEquals(1, got.body().getJsonArray("alerts").size());
      assertEquals(1, got.body().getInteger("truncatedAlerts"));
      assertEquals("2023-11-14T22:13:20Z", got.body().getJsonArray("alerts").getJsonObject(0).getString("startsAt"));
    }

    @Test
    void aRefusalNamesTheStatusButNotThePath() {
      receiver.failNext.set(1);
      Throwable failure = failure(config("hook", new JsonObject().put("type", "webhook").put("url", receiver.url("/secret-path?token=abc"))));
      assertTrue(failure.getMessage().contains("500"), failure.getMessage());
      assertFalse(failure.getMessage().contains("secret-path") || failure.getMessage().contains("abc"), failure.getMessage());
    }

    @Test
    void secretsAreRedactedAndKeptWhenGivenBack() {
      NotifierConfig stored = config("hook", new JsonObject().put("type", "webhook").put("url", "http://x.test/h").put("bearerToken", "t0k"));
      JsonObject shown = stored.toJson(plugins.get("webhook").secrets());
      assertEquals(NotifierConfig.REDACTED, shown.getString("bearerToken"));
      assertEquals(NotifierConfig.REDACTED, shown.getString("headers"), "headers may carry credentials");
      NotifierConfig again = NotifierConfig.parse("hook", shown, plugins, stored);
      assertEquals("t0k", again.settings().getString("bearerToken"));
      assertThrows(IllegalArgumentException.class, () -> NotifierConfig.parse("hook", shown, plugins, null));
    }
  }

  @Nested
  class Slack {
    @Test
    void postsTheTitleAndOneLinePerAlert() {
      Await.result(send(config("chat", new JsonObject().put("type", "slack").put("url", receiver.url("/services/T/B/X")).put("channel", "#ops"))));
      JsonObject message = receiver.received.get(0).body();
      assertEquals("#ops", message.getString("channel"));
      assertEquals("[FIRING:1] HighCpu (critical)\nFIRING CPU 95% on web-1\nRESOLVED CPU 91% on web-2\n", message.getString("text"));
      assertEquals(Set.of("url"), plugins.get("slack").secrets());
    }
  }

  @Nested
  class DingTalk {
    @Test
    void signsWithTheSecretAsDingTalkChecks() throws Exception {
      receiver.answer = "{\"errcode\":0,\"errmsg\":\"ok\"}";
      Await.result(send(config("ding", new JsonObject().put("type", "dingtalk").put("url", receiver.url("/robot/send?access_token=tok"))
          .put("secret", "SECabc"))));
      WebhookReceiver.Received got = receiver.received.get(0);
      Map<String, String> query = java.util.Arrays.stream(got.query().split("&")).map(p -> p.split("=", 2))
          .collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8)));
      assertEquals("tok", query.get("access_token"));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec("SECabc".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      String expected = Base64.getEncoder().encodeToString(mac.doFinal((query.get("timestamp") + "\nSECabc").getBytes(StandardCharsets.UTF_8)));
      assertEquals(expected, query.get("sign"));
      assertEquals("markdown", got.body().getString("msgtype"));
      assertTrue(got.body().getJsonObject("markdown").getString("text").contains("CPU 95% on web-1"));
    }

    @Test
    void aNonZeroErrcodeIsAFailure() {
      receiver.answer = "{\"errcode\":310000,\"errmsg\":\"sign not match\"}";
      Throwable failure = failure(config("ding", new JsonObject().put("type", "dingtalk").put("url", receiver.url("/robot/send?access_token=tok"))));
      assertTrue(failure.getMessage().contains("310000"), failure.getMessage());
    }
  }

  @Nested
  class WeChatWork {
    @Test
    void postsMarkdownAndChecksTheErrcode() {
      receiver.answer = "{\"errcode\":0,\"errmsg\":\"ok\"}";
      Await.result(send(config("wx", new JsonObject().put("type", "wechat").put("url", receiver.url("/cgi-bin/webhook/send?key=k")))));
      JsonObject body = receiver.received.get(0).body();
      assertEquals("markdown", body.getString("msgtype"));
      assertTrue(body.getJsonObject("markdown").getString("content").startsWith("**[FIRING:1] HighCpu (critical)**"));
      receiver.answer = "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}";
      assertTrue(failure(config("wx", new JsonObject().put("type", "wechat").put("url", receiver.url("/cgi-bin/webhook/send?key=k"))))
          .getMessage().contains("93000"));
    }
  }
}
