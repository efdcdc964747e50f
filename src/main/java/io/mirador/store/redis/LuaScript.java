package io.mirador.store.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script shipped as a resource next to this class, run by its SHA-1 ({@code EVALSHA}); when Redis does not
 * have it ({@code NOSCRIPT}: first use, or Redis restarted or flushed its script cache) the call is repeated once
 * with the source ({@code EVAL}), which caches it again. So nothing has to be loaded before the first call.
 */
final class LuaScript {

  private final String name;
  private final String source;
  private final String sha1;

  private LuaScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha1 = sha1(source);
  }

  /** Reads {@code <name>.lua}; done once per class load, never on an event loop's hot path. */
  static LuaScript load(String name) {
    String resource = name + ".lua";
    try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource + " next to " + LuaScript.class.getName());
      }
      return new LuaScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  /** A script given as text (benchmarks compare layouts with it). */
  static LuaScript of(String name, String source) {
    return new LuaScript(name, source);
  }

  String name() {
    return name;
  }

  String sha1() {
    return sha1;
  }

  String source() {
    return source;
  }

  Future<Response> run(Redis redis, List<String> keys, List<String> args) {
    return redis.send(request(Command.EVALSHA, sha1, keys, args)).recover(failure -> {
      if (isNoScript(failure)) {
        return redis.send(request(Command.EVAL, source, keys, args));
      }
      return Future.failedFuture(failure);
    });
  }

  /**
   * Redis's {@code NOSCRIPT} reply, as it comes or wrapped: the store's {@link RedisStore#client()} (leases, node beats,
   * the alert store) hands errors on as a {@link RedisStoreException} with the reply as its cause.
   */
  static boolean isNoScript(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT")) {
        return true;
      }
    }
    return false;
  }

  /** All arguments in one array: adding them one by one regrows the request's list a dozen times for a big batch. */
  private static Request request(Command command, String script, List<String> keys, List<String> args) {
    Object[] all = new Object[2 + keys.size() + args.size()];
    all[0] = script;
    all[1] = Integer.toString(keys.size());
    int at = 2;
    for (String key : keys) {
      all[at++] = key;
    }
    for (String arg : args) {
      all[at++] = arg;
    }
    return Request.cmd(command, all);
  }

  private static String sha1(String source) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-1", e);
    }
  }
}
