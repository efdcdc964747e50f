package io.mirador.store.redis;

import io.mirador.hub.cluster.Fence;
import io.mirador.hub.cluster.Lease;
import io.mirador.hub.cluster.LeaseStore;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Leases in Redis, for the hub nodes of a cluster. Each operation is one Lua script, so it is atomic, and Redis
 * judges expiry with its own clock ({@code TIME} for {@code since} and {@code expiresAt}, {@code PEXPIRE} for the
 * lapse): the clocks of the hubs do not matter.
 *
 * <p>Layout, for a key prefix such as {@code mirador:}:
 * <ul>
 *   <li>{@code <prefix>lease:<name>} — hash {owner, token, since}, with a PEXPIRE of the ttl; gone when it lapses or
 *       is released.</li>
 *   <li>{@code <prefix>lease:<name>:token} — the highest token handed out for the name, INCR'd for each new owner;
 *       it never expires, so tokens never go back even after the lease hash expired.</li>
 *   <li>{@code <prefix>leases} — set of every name ever leased, to list them; as small as the set of names.</li>
 * </ul>
 *
 * <p>A write made on behalf of an owner is fenced inside the script that makes it: see {@link #FENCE_CHECK_LUA}.
 * The client is the caller's (it is not closed here); calls are bounded by its own timeouts.
 */
public final class RedisLeases implements LeaseStore {

  /**
   * The first statement of a Lua script that writes on behalf of a lease owner: unless the lease is unexpired with
   * exactly the writer's token, the script fails with an error reply starting {@code FENCED} before it writes
   * anything (a Redis script is not rolled back, so nothing may be written before this check). {@code %1$d} is the
   * index in KEYS of the lease key ({@link #leaseKey}), {@code %2$d} the index in ARGV of the token (its decimal
   * text, {@code Long.toString(fence.token())}); {@link #fenceCheck} fills them in, {@link #fenced} prepends the
   * check to a script, {@link #isFenced} recognises the refusal. A script written by hand carries the same text:
   * <pre>{@code
   * if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then
   *   return redis.error_reply('FENCED lease ' .. KEYS[1] .. ' is not held with token ' .. ARGV[1])
   * end
   * }</pre>
   * An expired hash reads as nil in a script, so a lapsed lease refuses too.
   */
  public static final String FENCE_CHECK_LUA = """
      if redis.call('HGET', KEYS[%1$d], 'token') ~= ARGV[%2$d] then
        return redis.error_reply('FENCED lease ' .. KEYS[%1$d] .. ' is not held with token ' .. ARGV[%2$d])
      end
      """;

  /** How the error reply of {@link #FENCE_CHECK_LUA} starts. */
  public static final String FENCED = "FENCED";

  private static final LuaScript ACQUIRE = LuaScript.load("lease_acquire");
  private static final LuaScript RENEW = LuaScript.load("lease_renew");
  private static final LuaScript RELEASE = LuaScript.load("lease_release");
  private static final LuaScript READ = LuaScript.load("lease_read");
  private static final LuaScript HOLDS = LuaScript.load("lease_holds");

  private final Redis redis;
  private final String prefix;

  public RedisLeases(Redis redis, String keyPrefix) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.prefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
  }

  /** Hash {owner, token, since} of one lease: the key a fenced script is handed. */
  public static String leaseKey(String prefix, String name) {
    return prefix + "lease:" + Lease.requireName(name);
  }

  /** The counter of the highest token handed out for one name; never expires. */
  public static String tokenKey(String prefix, String name) {
    return leaseKey(prefix, name) + ":token";
  }

  /** Set of every lease name, for listing. */
  public static String namesKey(String prefix) {
    return prefix + "leases";
  }

  /** {@link #FENCE_CHECK_LUA} for the lease key at {@code KEYS[leaseKeyIndex]} and the token at {@code ARGV[tokenArgIndex]}. */
  public static String fenceCheck(int leaseKeyIndex, int tokenArgIndex) {
    if (leaseKeyIndex < 1 || tokenArgIndex < 1) {
      throw new IllegalArgumentException("Lua indexes start at 1, got KEYS[" + leaseKeyIndex + "], ARGV[" + tokenArgIndex + "]");
    }
    return String.format(FENCE_CHECK_LUA, leaseKeyIndex, tokenArgIndex);
  }

  /** {@code script} with the fence check first; the script keeps its name, its keys and arguments stay where they were. */
  static LuaScript fenced(LuaScript script, int leaseKeyIndex, int tokenArgIndex) {
    return LuaScript.of(script.name() + "+fence", fenceCheck(leaseKeyIndex, tokenArgIndex) + script.source());
  }

  /** Whether a failure, or one of its causes, is the refusal of a fenced script. */
  public static boolean isFenced(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause.getMessage() != null && cause.getMessage().startsWith(FENCED)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Future<Optional<Lease>> acquire(String name, String owner, long ttlMs) {
    return checked(() -> {
      Lease.requireOwner(owner);
      Lease.requireTtl(ttlMs);
      return ACQUIRE.run(redis, List.of(leaseKey(prefix, name), tokenKey(prefix, name), namesKey(prefix)),
          List.of(name, owner, Long.toString(ttlMs)));
    }).map(reply -> reply.get(0).toInteger() == 0
        ? Optional.empty()
        : Optional.of(new Lease(name, reply.get(1).toString(), reply.get(2).toLong(), reply.get(3).toLong(), reply.get(4).toLong())));
  }

  @Override
  public Future<Boolean> renew(String name, String owner, long token, long ttlMs) {
    return checked(() -> {
      Lease.requireOwner(owner);
      Lease.requireToken(token);
      Lease.requireTtl(ttlMs);
      return RENEW.run(redis, List.of(leaseKey(prefix, name)), List.of(owner, Long.toString(token), Long.toString(ttlMs)));
    }).map(reply -> reply.toInteger() == 1);
  }

  @Override
  public Future<Void> release(String name, String owner, long token) {
    return checked(() -> {
      Lease.requireOwner(owner);
      Lease.requireToken(token);
      return RELEASE.run(redis, List.of(leaseKey(prefix, name)), List.of(owner, Long.toString(token)));
    }).mapEmpty();
  }

  @Override
  public Future<Optional<Lease>> current(String name) {
    return checked(() -> read(List.of(Lease.requireName(name)))).map(leases -> leases.stream().findFirst());
  }

  @Override
  public Future<List<Lease>> all() {
    return redis.send(Request.cmd(Command.SMEMBERS).arg(namesKey(prefix))).compose(members -> {
      List<String> names = new ArrayList<>();
      members.forEach(name -> names.add(name.toString()));
      return names.isEmpty() ? Future.succeededFuture(List.<Lease>of()) : read(names);
    }).map(leases -> leases.stream().sorted(Comparator.comparing(Lease::name)).toList());
  }

  @Override
  public Future<Boolean> holds(Fence fence) {
    return checked(() -> {
      if (fence == null) {
        throw new IllegalArgumentException("fence must not be null");
      }
      return HOLDS.run(redis, List.of(leaseKey(prefix, fence.lease())), List.of(Long.toString(fence.token())));
    }).map(reply -> reply.toInteger() == 1);
  }

  /** The unexpired leases among {@code names}, in their order, at one instant of Redis's clock. */
  private Future<List<Lease>> read(List<String> names) {
    List<String> keys = new ArrayList<>(names.size());
    names.forEach(name -> keys.add(leaseKey(prefix, name)));
    return READ.run(redis, keys, List.of()).map(reply -> {
      long now = reply.get(0).toLong();
      List<Lease> leases = new ArrayList<>(names.size());
      for (int i = 0; i < names.size(); i++) {
        String owner = reply.get(1 + 4 * i).toString();
        if (!owner.isEmpty()) {
          leases.add(new Lease(names.get(i), owner, reply.get(2 + 4 * i).toLong(), reply.get(3 + 4 * i).toLong(),
              now + reply.get(4 + 4 * i).toLong()));
        }
      }
      return leases;
    });
  }

  /** Runs {@code call}; an argument it refuses gives a failed future instead of a throw. */
  private static <T> Future<T> checked(Callable<Future<T>> call) {
    try {
      return call.call();
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }
}
