package io.mirador.hub.security;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

/** Where a caller's credential is found: {@code Authorization: Bearer <token>}, else the session cookie. */
public final class WebCredentials {

  private WebCredentials() {
  }

  public static String of(HttpServerRequest request) {
    return of(request.headers());
  }

  /** From request headers (the SockJS bridge has only those). */
  public static String of(MultiMap headers) {
    String authorization = headers.get("authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).strip();
    }
    for (String cookies : headers.getAll("cookie")) {
      for (String cookie : cookies.split(";")) {
        int eq = cookie.indexOf('=');
        if (eq > 0 && cookie.substring(0, eq).strip().equals(Authenticator.COOKIE)) {
          String value = cookie.substring(eq + 1).strip();
          return value.isEmpty() ? null : value;
        }
      }
    }
    return null;
  }
}
