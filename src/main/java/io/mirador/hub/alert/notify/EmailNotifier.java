package io.mirador.hub.alert.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code email}: a mail through an SMTP server, with the Vert.x mail client. Fields: {@code to} (required, array of
 * addresses), {@code from} (required), {@code host} (required), {@code port} (default 25, or 465 with {@code ssl}),
 * {@code starttls} ({@code disabled}, {@code optional} — the default —, {@code required}), {@code ssl} (TLS from the
 * first byte, default false), {@code username} and {@code password} (a secret; when given, login is required),
 * {@code trustAll} (accept any server certificate: tests only, default false). Subject: the notification's title;
 * body: plain text, one line per alert, then the Alertmanager JSON payload for machines.
 */
public final class EmailNotifier implements Notifier {

  private static final Pattern ADDRESS = Pattern.compile("[^@\\s<>]+@[^@\\s<>]+");

  @Override
  public String type() {
    return "email";
  }

  @Override
  public JsonObject validate(JsonObject settings) {
    Settings.only(type(), settings, Set.of("to", "from", "host", "port", "starttls", "ssl", "username", "password", "trustAll"));
    Object to = settings.getValue("to");
    if (to instanceof String single) {
      to = new JsonArray().add(single);
    }
    if (!(to instanceof JsonArray list) || list.isEmpty()) {
      throw new IllegalArgumentException("to is required: one address or an array of them");
    }
    for (Object address : list) {
      if (!(address instanceof String a) || !ADDRESS.matcher(a).matches()) {
        throw new IllegalArgumentException("to: '" + address + "' is not a mail address");
      }
    }
    String from = Settings.string(settings, "from", null);
    if (!ADDRESS.matcher(from).matches()) {
      throw new IllegalArgumentException("from: '" + from + "' is not a mail address");
    }
    String host = Settings.string(settings, "host", null);
    boolean ssl = bool(settings, "ssl");
    Object port = settings.getValue("port", ssl ? 465 : 25);
    if (!(port instanceof Integer p) || p < 1 || p > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }
    String starttls = Settings.string(settings, "starttls", "optional").toLowerCase(Locale.ROOT);
    if (!Set.of("disabled", "optional", "required").contains(starttls)) {
      throw new IllegalArgumentException("starttls must be disabled, optional or required; got '" + starttls + "'");
    }
    JsonObject valid = new JsonObject().put("to", list.copy()).put("from", from).put("host", host).put("port", port).put("starttls", starttls)
        .put("ssl", ssl).put("trustAll", bool(settings, "trustAll"));
    if (settings.containsKey("username")) {
      valid.put("username", Settings.string(settings, "username", null)).put("password", Settings.string(settings, "password", ""));
    }
    return valid;
  }

  private static boolean bool(JsonObject settings, String field) {
    Object v = settings.getValue(field, false);
    if (!(v instanceof Boolean b)) {
      throw new IllegalArgumentException(field + " must be true or false");
    }
    return b;
  }

  @Override
  public Set<String> secrets() {
    return Set.of("password");
  }

  /** An error text without the password, should the server or the client have echoed it. */
  static String scrub(String text, String password) {
    return password == null || password.isEmpty() ? text : text.replace(password, NotifierConfig.REDACTED);
  }

  static MailConfig mailConfig(JsonObject settings, long timeoutMs) {
    MailConfig config = new MailConfig().setHostname(settings.getString("host")).setPort(settings.getInteger("port"))
        .setSsl(settings.getBoolean("ssl", false)).setTrustAll(settings.getBoolean("trustAll", false))
        .setStarttls(StartTLSOptions.valueOf(settings.getString("starttls", "optional").toUpperCase(Locale.ROOT)))
        .setMaxPoolSize(1).setKeepAlive(false);
    config.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs));
    config.setIdleTimeout((int) Math.max(1, timeoutMs / 1000));
    if (settings.getString("username") != null) {
      config.setLogin(LoginOption.REQUIRED).setUsername(settings.getString("username")).setPassword(settings.getString("password"));
    } else {
      config.setLogin(LoginOption.DISABLED);
    }
    return config;
  }

  static MailMessage message(JsonObject settings, Notification notification) {
    List<String> to = new ArrayList<>();
    settings.getJsonArray("to").forEach(a -> to.add((String) a));
    return new MailMessage().setFrom(settings.getString("from")).setTo(to).setSubject(notification.title())
        .setText(notification.text() + "\n-- \n" + notification.toWebhookJson().encodePrettily() + "\n");
  }

  @Override
  public Future<Void> send(NotifierContext context, NotifierConfig config, Notification notification) {
    MailClient client = MailClient.create(context.vertx(), mailConfig(config.settings(), config.timeoutMs()));
    return client.sendMail(message(config.settings(), notification))
        .recover(e -> Future.failedFuture(new IllegalStateException("SMTP " + config.settings().getString("host") + ":"
            + config.settings().getInteger("port") + ": " + scrub(String.valueOf(e.getMessage()), config.settings().getString("password")))))
        .<Void>mapEmpty()
        .andThen(done -> client.close());
  }
}
