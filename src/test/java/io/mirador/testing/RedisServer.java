package io.mirador.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of a test's own, on a free loopback port, in a directory of the test's: it can be killed with
 * SIGKILL and started again on the same directory and port, and nothing the shared Redis holds is touched.
 * {@link #start} runs it with append-only persistence as in production ({@code appendonly yes},
 * {@code appendfsync always}); {@link #startWith} with options of the test's (a replica, TLS), {@link #sentinel} as
 * a Redis Sentinel.
 */
public final class RedisServer implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final String password;
  private final List<String> command;
  private final boolean tls;
  private Process process;

  private RedisServer(Path dir, int port, String password, List<String> command, boolean tls) {
    this.dir = dir;
    this.port = port;
    this.password = password;
    this.command = List.copyOf(command);
    this.tls = tls;
  }

  /** Starts one in {@code dir} with append-only persistence; {@code password} (may be null) becomes its requirepass. */
  public static RedisServer start(Path dir, String password) {
    return startWith(dir, password, false, List.of("--appendonly", "yes", "--appendfsync", "always"));
  }

  /**
   * Starts one in {@code dir} without persistence ({@code --save ""}, no AOF) plus {@code options}, e.g.
   * {@code --replicaof 127.0.0.1 6380}; {@code password} (may be null) becomes its requirepass and masterauth. With
   * {@code tls} it listens with TLS only ({@code --port 0 --tls-port}), and {@code options} must name its certificate.
   */
  public static RedisServer startWith(Path dir, String password, boolean tls, List<String> options) {
    int port = freePort();
    List<String> command = new ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1", "--dir", dir.toString(),
        "--save", "", "--daemonize", "no"));
    command.addAll(tls ? List.of("--port", "0", "--tls-port", String.valueOf(port)) : List.of("--port", String.valueOf(port)));
    if (password != null) {
      command.addAll(List.of("--requirepass", password, "--masterauth", password));
    }
    if (!options.contains("--appendonly")) {
      command.addAll(List.of("--appendonly", "no"));
    }
    command.addAll(options);
    RedisServer server = new RedisServer(dir, port, password, command, tls);
    server.launch();
    return server;
  }

  /**
   * Starts a Redis Sentinel in {@code dir}: writes {@code sentinel.conf} there (Sentinel rewrites it as it learns)
   * with its port, address and directory and then {@code lines}, e.g. {@code sentinel monitor m 127.0.0.1 6380 1}.
   * With {@code tls} it listens with TLS only, and {@code lines} must name its certificate.
   */
  public static RedisServer sentinel(Path dir, boolean tls, List<String> lines) {
    int port = freePort();
    List<String> conf = new ArrayList<>(List.of("bind 127.0.0.1", "dir " + dir, "daemonize no"));
    conf.addAll(tls ? List.of("port 0", "tls-port " + port) : List.of("port " + port));
    conf.addAll(lines);
    Path file = dir.resolve("sentinel.conf");
    try {
      Files.write(file, conf, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RedisServer server = new RedisServer(dir, port, null, List.of("redis-server", file.toString(), "--sentinel"), tls);
    server.launch();
    return server;
  }

  public int port() {
    return port;
  }

  /** The URL the hub is given, with the password in it when there is one. */
  public String url() {
    return (tls ? "rediss://" : "redis://") + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port;
  }

  /** Its log, for a failure message. */
  public Path log() {
    return dir.resolve("redis.log");
  }

  /** SIGKILL: no shutdown, no final AOF rewrite; what was fsynced is all that survives. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Starts again on the same directory and port (it replays its AOF, if it keeps one). */
  public void restart() {
    launch();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      kill();
    }
  }

  private void launch() {
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server", e);
    }
    try {
      Await.condition(Duration.ofSeconds(20), Duration.ofMillis(50), () -> !process.isAlive() || answers(),
          () -> "redis-server on port " + port + " did not come up; see " + log());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (!process.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " exited at once; see " + log());
    }
  }

  /**
   * Up and done loading its AOF: PING answers with anything but LOADING (NOAUTH counts as up). A TLS-only server is
   * up once it accepts a connection (it is started empty, so it has nothing to load).
   */
  private boolean answers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      if (tls) {
        return true;
      }
      socket.setSoTimeout(1_000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[64];
      int read = in.read(reply);
      return read > 0 && !new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("-LOADING");
    } catch (IOException e) {
      return false;
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
