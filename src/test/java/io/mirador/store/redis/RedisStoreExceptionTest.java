package io.mirador.store.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.redis.client.impl.types.ErrorType;
import java.net.ConnectException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A refusal is Redis answering the call with an error about the call; anything that may pass is not one. */
class RedisStoreExceptionTest {

  private static RedisStoreException replied(String error) {
    return new RedisStoreException("Redis store write on redis://127.0.0.1:6379 failed: " + error, ErrorType.create(error));
  }

  @Test
  void anErrorAboutTheCallIsARefusal() {
    for (String error : List.of(
        "WRONGTYPE Operation against a key holding the wrong kind of value script: 9a0f, on @user_script:48.",
        "ERR user_script:1: attempt to perform arithmetic on a nil value script: cd20, on @user_script:1.",
        "ERR wrong number of arguments for 'hset' command")) {
      assertTrue(replied(error).refusal(), error);
    }
  }

  @Test
  void redisAwaySlowOrUnableToWriteForNowIsNoRefusal() {
    for (String error : List.of(
        "LOADING Redis is loading the dataset in memory",
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
        "READONLY You can't write against a read only replica. script: 9a0f, on @user_script:60.",
        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
        "OOM command not allowed when used memory > 'maxmemory'.",
        "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.",
        "NOAUTH Authentication required.",
        "WRONGPASS invalid username-password pair or user is disabled.",
        "NOPERM this user has no permissions to run the 'evalsha' command",
        "ERR max number of clients reached")) {
      assertFalse(replied(error).refusal(), error);
    }
    assertFalse(new RedisStoreException("Redis store write on redis://127.0.0.1:1: unavailable, retrying in 100 ms").refusal());
    assertFalse(new RedisStoreException("no reply within 1000 ms", null).refusal());
    assertFalse(new RedisStoreException("connection refused", new ConnectException("Connection refused")).refusal());
  }
}
