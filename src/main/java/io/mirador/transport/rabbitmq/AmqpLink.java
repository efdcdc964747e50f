package io.mirador.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.mirador.transport.TransportStatus;
import io.vertx.core.Promise;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP connection that keeps itself up. It connects on its own worker thread (every blocking client call
 * of its owner runs there too, one at a time and in order), runs the owner's {@link Session#opened} on every
 * new connection (topology, channels, consumers), and when the connection is lost or an attempt fails it tries
 * again after an exponential backoff between {@code reconnectInitialMs} and {@code reconnectMaxMs}, with
 * jitter. The client's own automatic recovery is off: this is the only recovery, so the topology is declared
 * again and unconfirmed publishes fail (see {@link ConfirmingPublisher}) instead of being silently replayed.
 *
 * <p>With an {@code amqps://} URL the broker's certificate is verified against {@code transport.amqp.tls} (never
 * the client's own accept-anything default), and so is its host name unless {@code verifyHostname} is false.
 */
final class AmqpLink {

  private static final Logger LOG = LoggerFactory.getLogger(AmqpLink.class);
  private static final AtomicInteger WORKERS = new AtomicInteger();
  /** The broker's own default max_message_size (RabbitMQ 3.x): whatever the broker takes, the hub can read and reject. */
  static final int MAX_INBOUND_BYTES = 128 * 1024 * 1024;

  /**
   * A fire-and-forget client call (publish, ack, nack) for the worker. {@link #abandon} tells it that it will
   * never run, because the link closed first.
   */
  interface Call {

    void run() throws Exception;

    default void abandon() {
    }
  }

  /** What the owner does with each new connection. */
  interface Session {

    /** Blocking, on the link's worker: declare the topology, open channels, start consumers. Throwing fails the attempt. */
    void opened(Connection connection) throws Exception;

    /** On the owner's context, once the current connection is gone. */
    default void lost() {
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final AmqpSettings settings;
  private final String name;
  private final WorkerExecutor worker;
  private final ConnectionFactory factory = new ConnectionFactory();
  private Session session;
  private Future<Void> started;
  private volatile Connection connection;
  private volatile String blockedBecause;
  /** Why the link is not connected: the last attempt's failure or what took the connection; null while connected. */
  private volatile String lastFailure;
  /** Made on the worker before the first attempt (reading key stores is file I/O). */
  private volatile SSLContext tls;
  private volatile boolean closing;
  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private int failures;
  private long reconnectTimer = -1;

  /** On the owner's context: the link reports back to it. */
  AmqpLink(Vertx vertx, AmqpSettings settings, String name) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.settings = settings;
    this.name = name;
    this.worker = vertx.createSharedWorkerExecutor("mirador-amqp-" + name + "-" + WORKERS.incrementAndGet(), 1);
    if (settings.usesTls()) {
      // set before setUri, which otherwise picks the client's default context: one that trusts any certificate
      factory.setSslContextFactory(connectionName -> tls);
      if (settings.tls().verifyHostname()) {
        factory.enableHostnameVerification();
      }
    }
    try {
      factory.setUri(settings.url());
    } catch (Exception e) {
      throw new IllegalArgumentException("transport.amqp.url is not usable (" + settings.safeUrl() + "): " + e.getMessage());
    }
    factory.setAutomaticRecoveryEnabled(false);
    factory.setTopologyRecoveryEnabled(false);
    factory.setConnectionTimeout(5_000);
    factory.setHandshakeTimeout(5_000);
    factory.setChannelRpcTimeout(10_000);
    factory.setRequestedHeartbeat(10);
    factory.setMaxInboundMessageBodySize(MAX_INBOUND_BYTES);
  }

  /**
   * Starts the link with its session. Completes after the first attempt, connected or not: a broker that is
   * down when a process starts is retried in the background, and {@link #connected()} says how it goes. Fails
   * only when the TLS settings are unusable (a missing trust store, a wrong password): no retry mends those.
   */
  Future<Void> start(Session session) {
    if (started == null) {
      this.session = session;
      started = prepareTls().compose(ready -> attempt().otherwiseEmpty());
      TransportStatus.of(vertx).register(this, "rabbitmq", this::connected);
    }
    return started;
  }

  boolean connected() {
    Connection current = connection;
    return current != null && current.isOpen();
  }

  /** "not connected to the broker", with why (the last attempt's failure, or what took the connection), for publish failures. */
  String notConnected() {
    String reason = lastFailure;
    return "not connected to the broker" + (reason == null ? "" : " (" + reason + ")");
  }

  /** Why the broker stopped reading our publishes (a resource alarm), or null. */
  String blockedBecause() {
    return blockedBecause;
  }

  String name() {
    return name;
  }

  Context context() {
    return context;
  }

  /** Runs a blocking client call on the link's worker, after every call submitted before it. */
  <T> Future<T> run(Callable<T> call) {
    if (closing) {
      return Future.failedFuture(new PublishFailedException(name + " is closed"));
    }
    return worker.executeBlocking(call, true);
  }

  /**
   * Queues a call for the worker. Calls queued while the worker is busy run as one batch, in the order they
   * came: one thread hop per batch, not per message, which is what keeps a window of publishes cheap. A call that
   * throws is logged and the others still run.
   */
  void execute(Call call) {
    if (closing) {
      call.abandon();
      return;
    }
    calls.add(call);
    if (draining.compareAndSet(false, true)) {
      try {
        worker.executeBlocking(() -> {
          drain();
          return null;
        }, true).onFailure(e -> abandonQueued());
      } catch (RuntimeException e) {
        abandonQueued(); // the worker is closed
      }
    }
  }

  /** Publishes on the worker through the confirm tracker; the future completes on the owner's context. */
  Future<Void> publish(ConfirmingPublisher publisher, String exchange, String routingKey, boolean mandatory,
                       AMQP.BasicProperties properties, byte[] body) {
    Promise<Void> confirmed = Promise.promise();
    execute(new Call() {
      @Override
      public void run() {
        publisher.publish(exchange, routingKey, mandatory, properties, body, confirmed);
      }

      @Override
      public void abandon() {
        context.runOnContext(ignored -> confirmed.tryFail(new PublishFailedException(name + " closed before the message was written")));
      }
    });
    return confirmed.future();
  }

  private void drain() {
    while (true) {
      Call call;
      while ((call = calls.poll()) != null) {
        try {
          call.run();
        } catch (Exception e) {
          LOG.debug("{}: a client call failed: {}", name, e.toString());
        }
      }
      draining.set(false);
      if (calls.isEmpty() || !draining.compareAndSet(false, true)) {
        return;
      }
    }
  }

  private void abandonQueued() {
    draining.set(false);
    Call call;
    while ((call = calls.poll()) != null) {
      call.abandon();
    }
  }

  /**
   * A channel the broker closes on its own (a protocol error, a deleted queue's consumer) takes the whole
   * connection down with it, so that recovery has one path: reconnect, declare, reopen.
   */
  void reconnectOnError(Channel channel) {
    channel.addShutdownListener(signal -> {
      if (!signal.isHardError() && !signal.isInitiatedByApplication() && !closing) {
        LOG.warn("{}: channel {} closed by the broker ({}); reconnecting", name, channel.getChannelNumber(), signal.getMessage());
        Connection broken = channel.getConnection();
        run(() -> {
          broken.abort(AMQP.INTERNAL_ERROR, "channel error, reconnecting", 1_000);
          return null;
        });
      }
    });
  }

  Future<Void> close() {
    closing = true;
    TransportStatus.of(vertx).unregister(this);
    context.runOnContext(ignored -> vertx.cancelTimer(reconnectTimer));
    Connection current = connection;
    connection = null;
    return worker.executeBlocking(() -> {
      drain(); // what was queued before the close is still written (and fails or is confirmed with the connection)
      if (current != null && current.isOpen()) {
        try {
          current.close(AMQP.REPLY_SUCCESS, "closed by Mirador", 2_000);
        } catch (Exception e) {
          current.abort(1_000);
        }
      }
      return null;
    }).<Void>mapEmpty().eventually(() -> {
      abandonQueued();
      return worker.close();
    });
  }

  private Future<Void> prepareTls() {
    if (!settings.usesTls()) {
      return Future.succeededFuture();
    }
    return run(() -> {
      tls = settings.tls().material(vertx).sslContext();
      return null;
    }).<Void>mapEmpty().onFailure(e -> {
      lastFailure = e.getMessage();
      LOG.error("{}: cannot connect to {} with TLS: {}", name, settings.safeUrl(), e.getMessage());
    });
  }

  private Future<Void> attempt() {
    return run(() -> {
      Connection opened = factory.newConnection(name);
      try {
        opened.addBlockedListener(reason -> {
          blockedBecause = reason;
          LOG.warn("{}: the broker blocks publishing: {}", name, reason);
        }, () -> {
          blockedBecause = null;
          LOG.info("{}: the broker unblocked publishing", name);
        });
        session.opened(opened);
        return opened;
      } catch (Exception | Error e) {
        opened.abort(1_000);
        throw e;
      }
    }).andThen(result -> {
      if (result.succeeded()) {
        connected(result.result());
      } else {
        failures++;
        long delay = nextDelay();
        lastFailure = describe(result.cause());
        LOG.warn("{}: cannot connect to {} (attempt {}): {}; next attempt in {} ms", name, settings.safeUrl(), failures,
            lastFailure, delay);
        scheduleReconnect(delay);
      }
    }).mapEmpty();
  }

  private void connected(Connection opened) {
    if (closing) {
      worker.executeBlocking(() -> {
        opened.abort(1_000);
        return null;
      });
      return;
    }
    connection = opened;
    lastFailure = null;
    String after = failures > 0 ? " after " + failures + " failed attempts" : "";
    if (!settings.usesTls()) {
      LOG.info("{}: connected to {}{}", name, settings.safeUrl(), after);
    } else if (settings.tls().verifyHostname()) {
      LOG.info("{}: connected to {} ({}){}", name, settings.safeUrl(), settings.tls().summary(), after);
    } else {
      LOG.warn("{}: connected to {} ({}){}", name, settings.safeUrl(), settings.tls().summary(), after);
    }
    failures = 0;
    // called at once if it is already closed, so a connection lost during setup is not missed
    opened.addShutdownListener(signal -> context.runOnContext(ignored -> lost(opened, signal)));
  }

  private void lost(Connection gone, ShutdownSignalException signal) {
    if (gone != connection) {
      return;
    }
    connection = null;
    blockedBecause = null;
    if (closing) {
      return;
    }
    long delay = nextDelay();
    String why = describe(signal);
    lastFailure = "lost the connection: " + why;
    LOG.warn("{}: lost the connection to {}: {}; reconnecting in {} ms", name, settings.safeUrl(), why, delay);
    session.lost();
    scheduleReconnect(delay);
  }

  private void scheduleReconnect(long delay) {
    if (closing || reconnectTimer >= 0) {
      return;
    }
    reconnectTimer = vertx.setTimer(delay, id -> {
      reconnectTimer = -1;
      if (!closing) {
        attempt();
      }
    });
  }

  /** Exponential in the failures since the last good connection, capped, with ±20 % jitter so a fleet does not reconnect in step. */
  private long nextDelay() {
    long base = Math.min(settings.reconnectMaxMs(), settings.reconnectInitialMs() * (1L << Math.min(failures, 20)));
    return Math.max(1, Math.round(base * ThreadLocalRandom.current().nextDouble(0.8, 1.2)));
  }

  private String describe(Throwable cause) {
    String tlsProblem = settings.usesTls() ? settings.tls().explain(cause) : null;
    if (tlsProblem != null) {
      return tlsProblem;
    }
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
