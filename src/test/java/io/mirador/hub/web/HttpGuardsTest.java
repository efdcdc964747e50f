package io.mirador.hub.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.testing.Await;
import io.mirador.testing.RunningMirador;
import io.mirador.testing.TestConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The guards in front of the routes, over real sockets against a running hub: connections that send nothing or half a
 * head are closed, connections beyond the cap are refused and counted, a huge body is refused from its announced
 * length without being read, and Host, Origin, percent-encoding and methods get their answers while the API goes on
 * answering.
 */
class HttpGuardsTest {

  /** The hub is a hub: authentication is on, and these raw requests carry the test admin token as any client would. */
  private static final String AUTH = "Authorization: " + io.mirador.testing.TestConfig.bearer() + "\r\n";

  private static final int MAX_CONNECTIONS = 40;
  private static RunningMirador hub;
  private static int port;

  @BeforeAll
  static void start() {
    JsonObject config = TestConfig.hubOnly();
    config.getJsonObject("http")
        .put("limits", new JsonObject().put("headerTimeoutMs", 700).put("idleTimeoutSeconds", 2).put("maxConnections", MAX_CONNECTIONS))
        .put("allowedHosts", new JsonArray().add("mirador.example"))
        .put("allowedOrigins", new JsonArray().add("https://dash.example"));
    hub = RunningMirador.start(Mirador.Mode.HUB, config);
    port = hub.mirador.httpPort();
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void silentAndHalfHeadConnectionsAreClosedAndTheApiStillAnswers() throws Exception {
    double before = metric("mirador_http_header_timeouts_total");
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        sockets.add(open());
      }
      for (int i = 0; i < 10; i++) {
        Socket half = open();
        half.getOutputStream().write(("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "X-Slow: ").getBytes(StandardCharsets.US_ASCII));
        half.getOutputStream().flush();
        sockets.add(half);
      }
      assertEquals(200, request("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n").status);
      for (Socket socket : sockets) {
        assertClosedByServer(socket);
      }
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
    assertTrue(metric("mirador_http_header_timeouts_total") - before >= 20, "every silent connection counted");
    assertEquals(200, request("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n").status);
  }

  @Test
  void aKeptAliveConnectionThatGoesQuietIsClosed() throws Exception {
    try (Socket socket = open()) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertTrue(readAll(socket).startsWith("HTTP/1.1 200"), "answered, then closed once quiet");
    }
  }

  @Test
  void connectionsBeyondTheCapAreRefusedAndCounted() throws Exception {
    double before = metric("mirador_http_connections_refused_total");
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS + 10; i++) {
        sockets.add(open());
      }
      for (Socket socket : sockets.subList(MAX_CONNECTIONS, sockets.size())) {
        assertClosedByServer(socket); // the ten beyond the cap (the others go after headerTimeoutMs)
      }
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
    Await.condition(Duration.ofSeconds(20), Duration.ofMillis(50),
        () -> metricOrZero("mirador_http_connections_refused_total") - before >= 10,
        () -> "refused connections counted: " + (metricOrZero("mirador_http_connections_refused_total") - before));
    assertEquals(200, request("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n").status);
  }

  @Test
  void aHugeAnnouncedBodyIsRefusedBeforeItIsRead() throws Exception {
    try (Socket socket = open()) {
      OutputStream out = socket.getOutputStream();
      out.write(("PUT /api/v1/checks/big HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "Content-Type: application/json\r\n"
          + "Content-Length: 1073741824\r\n\r\n{\"command\":\"").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = readAll(socket); // answered and closed with 1 GB still unsent
      assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
      assertTrue(answer.contains("http.limits.maxBodyBytes"), answer);
    }
    assertEquals(404, request("GET /api/v1/checks/big HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n").status);
  }

  @Test
  void aChunkedBodyIsRefusedOnceItCrossesTheLimit() throws Exception {
    try (Socket socket = open()) {
      OutputStream out = socket.getOutputStream();
      out.write(("PUT /api/v1/checks/chunky HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "Content-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[64 * 1024];
      java.util.Arrays.fill(chunk, (byte) ' ');
      String head = Integer.toHexString(chunk.length) + "\r\n";
      try {
        for (int i = 0; i < 6; i++) { // 384 KiB, over the 256 KiB limit, and never the last chunk
          out.write(head.getBytes(StandardCharsets.US_ASCII));
          out.write(chunk);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.flush();
      } catch (IOException closed) {
        // the server may close while we still write: that is the point
      }
      String answer = readAll(socket);
      assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
    }
    assertEquals(404, request("GET /api/v1/checks/chunky HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n").status);
  }

  @Test
  void badPercentEncodingIsABadRequest() throws Exception {
    Reply query = request("GET /api/v1/series?agent=%zz HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n");
    assertEquals(400, query.status, query.text);
    assertTrue(query.text.contains("percent-encoding"), query.text);
    Reply path = request("GET /api/v1/checks/%zz HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n");
    assertEquals(400, path.status, path.text);
  }

  @Test
  void aWrongMethodIs405WithAllow() throws Exception {
    Reply reply = request("POST /api/v1/checks/x HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "Content-Length: 0\r\n\r\n");
    assertEquals(405, reply.status, reply.text);
    Matcher allow = Pattern.compile("(?im)^allow: (.*)$").matcher(reply.text);
    assertTrue(allow.find(), reply.text);
    assertEquals("DELETE, GET, PUT", allow.group(1).strip());
    assertEquals(404, request("POST /api/v1/nothing HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "Content-Length: 0\r\n\r\n").status);
  }

  @Test
  void onlyAllowedHostsAreAnswered() throws Exception {
    assertEquals(421, request("GET /api/v1/health HTTP/1.1\r\nHost: attacker.example\r\n\r\n").status);
    assertEquals(421, request("GET / HTTP/1.1\r\nHost: attacker.example:" + port + "\r\n\r\n").status);
    assertEquals(200, request("GET /api/v1/health HTTP/1.1\r\nHost: mirador.example:" + port + "\r\n\r\n").status);
    assertEquals(200, request("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").status);
    assertEquals(200, request("GET /api/v1/health HTTP/1.1\r\nHost: [::1]:" + port + "\r\n\r\n").status);
  }

  @Test
  void browsersFromOtherOriginsAreRefusedOnApiAndBridge() throws Exception {
    String host = "Host: 127.0.0.1:" + port + "\r\n" + AUTH;
    assertEquals(403, request("GET /api/v1/health HTTP/1.1\r\n" + host + "Origin: http://evil.example\r\n\r\n").status);
    assertEquals(403, request("GET /eventbus/info HTTP/1.1\r\n" + host + "Origin: http://evil.example\r\n\r\n").status);
    assertEquals(403, request("GET /api/v1/health HTTP/1.1\r\n" + host + "Origin: null\r\n\r\n").status);
    assertEquals(200, request("GET /api/v1/health HTTP/1.1\r\n" + host + "Origin: http://127.0.0.1:" + port + "\r\n\r\n").status);
    assertEquals(200, request("GET /eventbus/info HTTP/1.1\r\n" + host + "Origin: http://127.0.0.1:" + port + "\r\n\r\n").status);
    assertEquals(200, request("GET /api/v1/health HTTP/1.1\r\n" + host + "Origin: https://dash.example\r\n\r\n").status);
  }

  // ---- plumbing: raw HTTP/1.1 over sockets, so nothing is fixed for us by a client library

  private record Reply(int status, String text) {
  }

  private static Socket open() throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    return socket;
  }

  /** One request with {@code Connection: close} added; the whole answer. */
  private static Reply request(String head) throws IOException {
    try (Socket socket = open()) {
      String withClose = head.substring(0, head.length() - 2) + "Connection: close\r\n\r\n";
      socket.getOutputStream().write(withClose.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      String text = readAll(socket);
      return new Reply(Integer.parseInt(text.substring(9, 12)), text);
    }
  }

  /** Everything until the server closes; a read timeout (30 s) means it did not. */
  private static String readAll(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        bytes.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server kept the connection open; read so far: " + bytes.toString(StandardCharsets.UTF_8));
    } catch (IOException reset) {
      // a reset after the answer is a close as well
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static void assertClosedByServer(Socket socket) throws IOException {
    readAll(socket);
  }

  private static double metric(String name) throws IOException {
    Reply reply = request("GET /metrics HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n");
    Matcher value = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? (\\S+)$").matcher(reply.text);
    return value.find() ? Double.parseDouble(value.group(1)) : 0;
  }

  private static double metricOrZero(String name) {
    try {
      return metric(name);
    } catch (IOException | RuntimeException e) {
      return 0; // refused while the cap is reached
    }
  }
}
