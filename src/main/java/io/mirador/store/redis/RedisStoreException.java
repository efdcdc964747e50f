package io.mirador.store.redis;

/** A Redis store call that could not be done: Redis away, too slow, or refusing. The message says which and where. */
public final class RedisStoreException extends RuntimeException {

  RedisStoreException(String message) {
    super(message);
  }

  RedisStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
