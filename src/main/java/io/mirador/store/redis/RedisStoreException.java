package io.mirador.store.redis;

import io.vertx.redis.client.Response;
import java.util.Set;

/** A Redis store call that could not be done: Redis away, too slow, or refusing. The message says which and where. */
public final class RedisStoreException extends RuntimeException implements io.mirador.store.StoreFailure {

  /**
   * Error replies that say Redis cannot do writes just now, whatever is asked: loading, a busy script, read-only or no
   * master during a failover, out of memory, persistence failing, credentials or permissions (a configuration fault).
   */
  private static final Set<String> PASSING = Set.of(
      "LOADING", "BUSY", "READONLY", "MASTERDOWN", "NOREPLICAS", "TRYAGAIN", "CLUSTERDOWN", "OOM", "MISCONF", "NOAUTH", "WRONGPASS", "NOPERM");

  RedisStoreException(String message) {
    super(message);
  }

  RedisStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Whether Redis answered this call with an error about the call itself (a key of the wrong type, a script that fails
   * on these arguments), so the same call would get the same answer; false when Redis was away, too slow, or cannot
   * do writes for now ({@link #PASSING}).
   */
  public boolean refusal() {
    if (!(getCause() instanceof Response) || getCause().getMessage() == null) {
      return false;
    }
    String error = getCause().getMessage();
    int space = error.indexOf(' ');
    String kind = space < 0 ? error : error.substring(0, space);
    return !PASSING.contains(kind) && !error.startsWith("ERR max number of clients");
  }
}
