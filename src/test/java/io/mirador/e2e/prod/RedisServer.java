package io.mirador.e2e.prod;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of a test's own, on a free loopback port, with append-only persistence as in production
 * ({@code appendonly yes}, {@code appendfsync always}) in a directory of the test's: it can be killed with SIGKILL
 * and started again on the same directory and port, and nothing the shared Redis holds is touched.
 */
final class RedisServer implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final String password;
  private Process process;

  private RedisServer(Path dir, int port, String password) {
    this.dir = dir;
    this.port = port;
    this.password = password;
  }

  /** Starts one in {@code dir}; {@code password} (may be null) becomes its requirepass. */
  static RedisServer start(Path dir, String password) {
    RedisServer server = new RedisServer(dir, freePort(), password);
    server.launch();
    return server;
  }

  int port() {
    return port;
  }

  /** The URL the hub is given, with the password in it when there is one. */
  String url() {
    return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port;
  }

  /** SIGKILL: no shutdown, no final AOF rewrite; what was fsynced is all that survives. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Starts again on the same directory and port (it replays its AOF). */
  void restart() {
    launch();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      kill();
    }
  }

  private void launch() {
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no"));
    if (password != null) {
      command.addAll(List.of("--requirepass", password));
    }
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server", e);
    }
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline) {
      if (answers()) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("redis-server on port " + port + " did not come up; see " + dir.resolve("redis.log"));
  }

  /** Up and done loading its AOF: PING answers with anything but LOADING (NOAUTH counts as up). */
  private boolean answers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
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

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
