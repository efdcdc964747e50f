package io.mirador.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real headless Chromium process showing one page, driven over the DevTools protocol: evaluate
 * JavaScript in the page (promises are awaited, so waits happen in the page, each with its own bound)
 * and take screenshots. Runs in real time, unlike {@code --virtual-time-budget}, so live SockJS
 * traffic arrives as it would on a screen. Closing kills the browser's whole process tree.
 */
final class HeadlessChromium implements AutoCloseable {

  private static final Pattern DEVTOOLS_LINE = Pattern.compile("DevTools listening on ws://127\\.0\\.0\\.1:(\\d+)/");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final List<String> log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private WebSocket socket;

  private HeadlessChromium(Process process, List<String> log) {
    this.process = process;
    this.log = log;
  }

  /** Starts Chromium on a blank page with a fresh profile in profileDir and attaches to that page. */
  static HeadlessChromium launch(Path executable, Path profileDir) throws Exception {
    Files.createDirectories(profileDir);
    Process process = new ProcessBuilder(
        executable.toString(),
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
        "--window-size=1400,900",
        "--user-data-dir=" + profileDir,
        "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
        "about:blank")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    HeadlessChromium browser = new HeadlessChromium(process, log);
    try {
      int port = browser.devToolsPort();
      browser.attach(port);
      return browser;
    } catch (Exception e) {
      browser.close();
      throw e;
    }
  }

  /** Reads Chromium's stderr on its own thread (so it never blocks) until the DevTools port shows up. */
  private int devToolsPort() throws Exception {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          if (!line.contains("dbus")) {
            log.add(line); // headless without a session bus complains on every start; that is noise
          }
          Matcher m = DEVTOOLS_LINE.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException ignored) {
        // the process is gone; whoever waits for the port times out or sees the exit below
      }
      port.completeExceptionally(new IllegalStateException("chromium exited before DevTools listened:\n" + log()));
    }, "chromium-stderr");
    reader.setDaemon(true);
    reader.start();
    return port.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private void attach(int port) throws Exception {
    String pageSocket = null;
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (pageSocket == null) {
      HttpResponse<String> targets = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      for (Object t : new JsonArray(targets.body())) {
        JsonObject target = (JsonObject) t;
        if ("page".equals(target.getString("type"))) {
          pageSocket = target.getString("webSocketDebuggerUrl");
        }
      }
      if (pageSocket == null && System.nanoTime() > deadline) {
        throw new IllegalStateException("no page target in chromium: " + targets.body());
      }
      if (pageSocket == null) {
        CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)).get();
      }
    }
    socket = http.newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create(pageSocket), new Listener())
        .get(10, TimeUnit.SECONDS);
    // a wall-screen-like viewport whatever the window manager of headless decides
    call("Emulation.setDeviceMetricsOverride", new JsonObject()
        .put("width", 1400).put("height", 900).put("deviceScaleFactor", 1).put("mobile", false), Duration.ofSeconds(10));
  }

  /**
   * Loads url in the page; returns once the new document is committed (its scripts may still be running),
   * so that later evaluations run in that document rather than in one being replaced.
   */
  void navigate(String url) throws Exception {
    JsonObject result = call("Page.navigate", new JsonObject().put("url", url), Duration.ofSeconds(30));
    if (result.getString("errorText") != null) {
      throw new IllegalStateException("loading " + url + " failed: " + result.getString("errorText"));
    }
  }

  /** Evaluates a JavaScript expression in the page, awaiting it if it is a promise; returns its JSON value. */
  Object evaluate(String expression, Duration timeout) throws Exception {
    JsonObject result = call("Runtime.evaluate", new JsonObject()
        .put("expression", expression)
        .put("awaitPromise", true)
        .put("returnByValue", true)
        .put("timeout", timeout.toMillis()), timeout.plusSeconds(5));
    if (result.containsKey("exceptionDetails")) {
      throw new AssertionError("page threw: " + result.getJsonObject("exceptionDetails").encodePrettily());
    }
    return result.getJsonObject("result").getValue("value");
  }

  /** Saves a PNG of the page as it is drawn now. */
  void screenshot(Path file) throws Exception {
    JsonObject shot = call("Page.captureScreenshot", new JsonObject().put("format", "png"), Duration.ofSeconds(20));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, Base64.getDecoder().decode(shot.getString("data")));
  }

  /** The browser's stderr so far, for failure messages. */
  String log() {
    synchronized (log) {
      return String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size()));
    }
  }

  private JsonObject call(String method, JsonObject params, Duration timeout) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonObject> reply = new CompletableFuture<>();
    pending.put(id, reply);
    try {
      socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true)
          .get(5, TimeUnit.SECONDS);
      JsonObject message = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (message.containsKey("error")) {
        throw new IllegalStateException(method + " failed: " + message.getJsonObject("error").encode());
      }
      return message.getJsonObject("result");
    } finally {
      pending.remove(id);
    }
  }

  @Override
  public void close() {
    if (socket != null) {
      socket.abort();
    }
    List<ProcessHandle> tree = new ArrayList<>();
    process.descendants().forEach(tree::add);
    tree.forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        new PrintWriter(System.err, true).println("chromium " + process.pid() + " did not exit in 10 s");
      }
      for (ProcessHandle child : tree) {
        child.onExit().get(10, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      new PrintWriter(System.err, true).println("waiting for chromium to exit: " + e);
    }
  }

  /** Routes DevTools replies to their callers; events (messages without an id) are not needed. */
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        JsonObject message = new JsonObject(partial.toString());
        partial.setLength(0);
        Integer id = message.getInteger("id");
        CompletableFuture<JsonObject> reply = id == null ? null : pending.get(id);
        if (reply != null) {
          reply.complete(message);
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      pending.values().forEach(reply -> reply.completeExceptionally(error));
    }
  }
}
