package io.mirador.hub.alert.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.mirador.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The email notifier against GreenMail, a real SMTP server in this JVM: plain with login, and TLS from the first byte. */
class EmailNotifierTest extends NotifierFixture {

  private static final ServerSetup SMTP = new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
  private static final ServerSetup SMTPS = new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS);

  @RegisterExtension
  static final GreenMailExtension MAIL = new GreenMailExtension(new ServerSetup[] {SMTP.dynamicPort(), SMTPS.dynamicPort()})
      .withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts@mirador.test", "alerts", "s3cret-pw"));

  @AfterEach
  void close() {
    closeVertx();
  }

  private NotifierConfig email(int port, boolean ssl, String password) {
    return config("mail", new JsonObject().put("type", "email").put("to", new JsonArray().add("ops@example.test"))
        .put("from", "alerts@mirador.test").put("host", "127.0.0.1").put("port", port).put("ssl", ssl).put("trustAll", true)
        .put("starttls", "disabled").put("username", "alerts").put("password", password).put("timeout", "5s"));
  }

  @Test
  void aMailArrivesWithTheTitleAsSubjectAndTheAlertsInTheBody() throws Exception {
    Await.result(send(email(MAIL.getSmtp().getPort(), false, "s3cret-pw")));
    MimeMessage[] received = MAIL.getReceivedMessages();
    assertEquals(1, received.length);
    assertEquals("[FIRING:1] HighCpu (critical)", received[0].getSubject());
    assertEquals("ops@example.test", received[0].getAllRecipients()[0].toString());
    String body = GreenMailUtil.getBody(received[0]);
    assertTrue(body.contains("FIRING CPU 95% on web-1"), body);
    assertTrue(body.contains("\"version\" : \"4\""), body);
  }

  @Test
  void overTlsFromTheFirstByte() {
    Await.result(send(email(MAIL.getSmtps().getPort(), true, "s3cret-pw")));
    assertEquals(1, MAIL.getReceivedMessages().length);
  }

  @Test
  void aWrongPasswordFailsAndTheErrorDoesNotShowIt() {
    Throwable failure = failure(email(MAIL.getSmtp().getPort(), false, "wrong-pw-123"));
    assertFalse(failure.getMessage().contains("wrong-pw-123"), failure.getMessage());
    assertEquals(0, MAIL.getReceivedMessages().length);
    assertEquals(NotifierConfig.REDACTED, email(25, false, "x").toJson(plugins.get("email").secrets()).getString("password"));
  }
}
