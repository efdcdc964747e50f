package io.mirador.hub.security;

import io.mirador.config.Settings;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * The {@code auth} section, resolved for the mode a process runs in. Authentication is on for a hub and for anything
 * whose {@code http.host} is not loopback; a standalone on loopback runs without login unless {@code auth.enabled} is
 * true. Turning it off where it is required takes {@code auth.allowInsecure: true} as well, said explicitly.
 *
 * @param enabled           whether callers must authenticate
 * @param required          whether this mode and address call for it (a hub, or a non-loopback address)
 * @param allowInsecure     the operator's explicit consent to run a required-auth process without it
 * @param sessionTtlSeconds how long a dashboard session lasts
 * @param adminToken        the first-start admin token given by the operator (MIRADOR_ADMIN_TOKEN), or null
 * @param adminTokenFile    where a first start writes the admin token it made
 * @param maxLoginFailures  failed logins per source address, and per user name, within {@code loginWindowSeconds}
 *                          before further attempts are refused (429)
 * @param loginWindowSeconds the window of {@code maxLoginFailures}
 */
public record AuthSettings(boolean enabled, boolean required, boolean allowInsecure, int sessionTtlSeconds, String adminToken,
                           Path adminTokenFile, int maxLoginFailures, int loginWindowSeconds) {

  /** Shortest MIRADOR_ADMIN_TOKEN accepted: anything shorter could be guessed. */
  public static final int MIN_ADMIN_TOKEN = 24;

  /** Reads {@code auth}; {@code hub} is true for a hub process (standalone and hub both serve the API). */
  public static AuthSettings of(JsonObject config, boolean hub) {
    JsonObject auth = Settings.section(config, "auth");
    String host = Settings.section(config, "http").getString("host", "127.0.0.1");
    boolean required = hub || !isLoopback(host);
    Object raw = auth.getValue("enabled", "auto");
    boolean enabled;
    if (raw instanceof Boolean on) {
      enabled = on;
    } else if ("auto".equals(raw)) {
      enabled = required;
    } else {
      throw new IllegalArgumentException("auth.enabled must be true, false or auto, got " + raw);
    }
    Object insecure = auth.getValue("allowInsecure", false);
    if (!(insecure instanceof Boolean)) {
      throw new IllegalArgumentException("auth.allowInsecure must be true or false, got " + insecure);
    }
    String adminToken = auth.getString("adminToken", "");
    if (!adminToken.isEmpty() && (adminToken.length() < MIN_ADMIN_TOKEN || adminToken.length() > 512 || adminToken.isBlank())) {
      // the value itself is never echoed
      throw new IllegalArgumentException("MIRADOR_ADMIN_TOKEN (auth.adminToken) must have " + MIN_ADMIN_TOKEN
          + " to 512 characters; it has " + adminToken.length());
    }
    String file = auth.getString("adminTokenFile", "");
    Path tokenFile = file.isBlank()
        ? Path.of(Settings.section(config, "agent").getString("dataDir", "data"), "admin-token")
        : Path.of(file);
    return new AuthSettings(enabled, required, (Boolean) insecure,
        Settings.positiveInt(auth, "sessionTtlSeconds", 8 * 3600), adminToken.isEmpty() ? null : adminToken, tokenFile,
        Settings.positiveInt(auth, "maxLoginFailures", 10), Settings.positiveInt(auth, "loginWindowSeconds", 300));
  }

  /** Why this process must not start with these settings, or null. */
  public String refusal(boolean hub, String host) {
    if (required && !enabled && !allowInsecure) {
      return "authentication is off (auth.enabled: false) on " + (hub ? "a hub" : "http.host " + host + ", which is not loopback")
          + ": anyone who reaches the port could run commands on every agent. Turn it on, or set auth.allowInsecure: true"
          + " to run without it anyway";
    }
    return null;
  }

  /** Literal loopback addresses and {@code localhost}; no name is resolved. */
  public static boolean isLoopback(String host) {
    String h = host.strip();
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1") || h.matches("127(\\.\\d{1,3}){3}");
  }

  @Override
  public String toString() {
    return "AuthSettings[enabled " + enabled + ", required " + required + ", allowInsecure " + allowInsecure
        + ", adminToken " + (adminToken == null ? "none" : "set") + ", adminTokenFile " + adminTokenFile + "]";
  }
}
