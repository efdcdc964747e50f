package io.mirador.hub.alert.notify;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Map;

/**
 * One POST of a body to a URL, for the HTTP notifiers: bounded by the notifier's timeout (connect and idle), a 2xx is
 * success, anything else a failure that names the status and the host — never the path or query, which carry the
 * tokens of Slack, DingTalk or WeChat Work URLs.
 */
public final class HttpPost {

  /** Most of a receiver's answer read, for checks such as DingTalk's {@code errcode} and for error text. */
  static final int MAX_ANSWER = 64 * 1024;

  private HttpPost() {
  }

  /** Checks a URL given by a user: absolute http or https with a host. */
  public static String requireUrl(String field, Object value) {
    if (!(value instanceof String text)) {
      throw new IllegalArgumentException(field + " is required: an http:// or https:// URL");
    }
    try {
      URI uri = new URI(text);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException(field + " must be an absolute http:// or https:// URL");
      }
      return text;
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(field + " is not a valid URL: " + e.getReason());
    }
  }

  /** Posts and gives the answer's body (cut at {@link #MAX_ANSWER}) when the status is 2xx. */
  public static Future<Buffer> post(NotifierContext context, String url, String contentType, Buffer body, Map<String, String> headers,
      long timeoutMs) {
    URI uri = URI.create(url);
    String where = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
        .setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs).putHeader("content-type", contentType);
    headers.forEach(options::putHeader);
    return context.http().request(options)
        .compose(request -> request.send(body))
        .recover(e -> Future.failedFuture(new IllegalStateException("could not post to " + where + ": " + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : " " + scrub(e.getMessage(), url)))))
        .compose(response -> response.body().compose(answer -> {
          if (response.statusCode() / 100 == 2) {
            return Future.succeededFuture(answer.length() > MAX_ANSWER ? answer.getBuffer(0, MAX_ANSWER) : answer);
          }
          String text = answer.length() > 200 ? answer.getString(0, 200) : answer.toString();
          return Future.failedFuture(new IllegalStateException(where + " answered " + response.statusCode() + ": " + scrub(text, url)));
        }));
  }

  public static Future<Buffer> postJson(NotifierContext context, String url, JsonObject body, Map<String, String> headers, long timeoutMs) {
    return post(context, url, "application/json", body.toBuffer(), headers, timeoutMs);
  }

  /** The text without the URL's path and query, should a library have put them in an error. */
  static String scrub(String text, String url) {
    URI uri = URI.create(url);
    String out = text.replace(url, uri.getScheme() + "://" + uri.getHost());
    if (uri.getRawPath() != null && uri.getRawPath().length() > 1) {
      out = out.replace(uri.getRawPath(), "/…");
    }
    if (uri.getRawQuery() != null) {
      out = out.replace(uri.getRawQuery(), "…");
    }
    return out;
  }
}
