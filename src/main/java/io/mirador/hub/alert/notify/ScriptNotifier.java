package io.mirador.hub.alert.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code script}: runs a program with the webhook payload (Alertmanager's, version 4) on its standard input. Field:
 * {@code argv} (required: the program and its arguments, run without a shell). Exit 0 is success; anything else, or
 * running past the notifier's {@code timeout} (the program and every process it started are then killed), is a failure
 * whose error carries the exit code and the first 200 characters of its output. Runs on a worker thread, never on an
 * event loop. The environment is minimal: PATH, HOME, LANG.
 */
public final class ScriptNotifier implements Notifier {

  static final int MAX_OUTPUT = 64 * 1024;

  @Override
  public String type() {
    return "script";
  }

  @Override
  public JsonObject validate(JsonObject settings) {
    Settings.only(type(), settings, Set.of("argv"));
    Object argv = settings.getValue("argv");
    if (!(argv instanceof JsonArray array) || array.isEmpty() || !array.stream().allMatch(a -> a instanceof String s && !s.isEmpty())) {
      throw new IllegalArgumentException("argv is required: the program and its arguments, a non-empty array of strings");
    }
    return new JsonObject().put("argv", array.copy());
  }

  @Override
  public Future<Void> send(NotifierContext context, NotifierConfig config, Notification notification) {
    List<String> argv = new ArrayList<>();
    config.settings().getJsonArray("argv").forEach(a -> argv.add((String) a));
    byte[] payload = notification.toWebhookJson().encode().getBytes(StandardCharsets.UTF_8);
    return context.vertx().executeBlocking(() -> {
      run(argv, payload, config.timeoutMs());
      return null;
    }, false);
  }

  static void run(List<String> argv, byte[] stdin, long timeoutMs) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().keySet().retainAll(Set.of("PATH", "HOME", "LANG"));
    Process process = builder.start();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> drain(process.getInputStream(), output), "script-notifier-output");
    reader.setDaemon(true);
    reader.start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(stdin);
    } catch (IOException e) {
      // the script did not read its input (it may not need it): its exit code tells
    }
    if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw new IllegalStateException("killed after its timeout of " + timeoutMs + " ms");
    }
    reader.join(1_000);
    if (process.exitValue() != 0) {
      String text;
      synchronized (output) {
        text = output.toString(StandardCharsets.UTF_8);
      }
      throw new IllegalStateException("exited " + process.exitValue() + ": " + (text.length() > 200 ? text.substring(0, 200) : text).strip());
    }
  }

  private static void drain(InputStream in, ByteArrayOutputStream into) {
    byte[] buffer = new byte[8192];
    try {
      int n;
      while ((n = in.read(buffer)) > 0) {
        synchronized (into) {
          if (into.size() < MAX_OUTPUT) {
            into.write(buffer, 0, Math.min(n, MAX_OUTPUT - into.size()));
          }
        }
      }
    } catch (IOException e) {
      // the process went away
    }
  }
}
