package io.mirador.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The few hub endpoints the bench reads: the stored counters from /metrics (summed over the hub nodes given) and an
 * agent's latest values (from the first).
 */
final class HubClient {

  /** What /metrics says was stored so far. */
  record Stored(long samples, long metricsEvents) {
  }

  private final List<String> baseUrls;
  /** HTTP/1.1 with keep-alive: the default would upgrade to HTTP/2 (h2c), which costs more per request here. */
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  /** One base URL, or several separated by commas (hub nodes of one cluster). */
  HubClient(String baseUrls) {
    this.baseUrls = List.of(baseUrls.split(","));
  }

  Stored stored() throws IOException, InterruptedException {
    long samples = 0;
    long events = 0;
    for (String base : baseUrls) {
      String text = get(base, "/metrics");
      samples += counter(text, "mirador_samples_stored_total ");
      events += counter(text, "mirador_events_stored_total{type=\"metrics\"} ");
    }
    return new Stored(samples, events);
  }

  /** The body of GET /api/v1/agents/{id}/latest, or null while the agent is unknown (404). */
  String latest(String agentId) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request(baseUrls.get(0), "/api/v1/agents/" + agentId + "/latest"),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 404) {
      return null;
    }
    if (response.statusCode() != 200) {
      throw new IOException("GET latest of " + agentId + ": HTTP " + response.statusCode());
    }
    return response.body();
  }

  /** PUTs a JSON definition to the first hub node; anything but 200 or 201 is an IOException with the answer. */
  void put(String path, io.vertx.core.json.JsonObject body) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(authorized(HttpRequest.newBuilder(URI.create(baseUrls.get(0) + path))).timeout(Duration.ofSeconds(5))
        .header("content-type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200 && response.statusCode() != 201) {
      throw new IOException("PUT " + path + ": HTTP " + response.statusCode() + " " + response.body());
    }
  }

  void delete(String path) throws IOException, InterruptedException {
    http.send(authorized(HttpRequest.newBuilder(URI.create(baseUrls.get(0) + path))).timeout(Duration.ofSeconds(5)).DELETE().build(),
        HttpResponse.BodyHandlers.discarding());
  }

  /** GET of a path on the first hub, its body (200 only). */
  String read(String path) throws IOException, InterruptedException {
    return get(baseUrls.get(0), path);
  }

  /** A counter of /metrics summed over the hubs. */
  long counter(String prefix) throws IOException, InterruptedException {
    long sum = 0;
    for (String base : baseUrls) {
      sum += counter(get(base, "/metrics"), prefix);
    }
    return sum;
  }

  private String get(String base, String path) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request(base, path), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + path + ": HTTP " + response.statusCode());
    }
    return response.body();
  }

  private HttpRequest request(String base, String path) {
    return authorized(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).GET()).build();
  }

  /**
   * A hub asks for a login: the API token of $MIRADOR_TOKEN (a viewer's is enough to read; the alert probe's rule and
   * notifier need an admin's).
   */
  static HttpRequest.Builder authorized(HttpRequest.Builder request) {
    String token = System.getenv("MIRADOR_TOKEN");
    if (token != null && !token.isBlank()) {
      request.header("authorization", "Bearer " + token.strip());
    }
    return request;
  }

  /** The value of the line that starts with {@code prefix} (metric name and labels), 0 when absent. */
  static long counter(String text, String prefix) {
    int at = text.startsWith(prefix) ? 0 : text.indexOf("\n" + prefix);
    if (at < 0) {
      return 0;
    }
    int start = text.indexOf(prefix, at) + prefix.length();
    int end = text.indexOf('\n', start);
    String value = text.substring(start, end < 0 ? text.length() : end).trim();
    return (long) Double.parseDouble(value);
  }
}
