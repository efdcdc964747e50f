package io.mirador.transport.rabbitmq;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP proxy in front of the broker that a test can misbehave with: hold back what the broker sends (the
 * connection looks alive, no confirm arrives), cut every connection (a network drop), or refuse new ones (a
 * broker that is away). Everything runs on the proxy's own event loop.
 */
public final class TcpProxy {

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final List<Pair> pairs = new ArrayList<>();
  private io.vertx.core.Context context;
  private NetServer server;
  private boolean holding;
  private boolean refusing;

  public TcpProxy(Vertx vertx, String host, int port) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
  }

  /** Listens on a free loopback port; returns it. */
  public Future<Integer> start() {
    context = vertx.getOrCreateContext();
    return on(() -> vertx.createNetServer().connectHandler(this::accept).listen(0, "127.0.0.1").map(listening -> {
      server = listening;
      return listening.actualPort();
    }));
  }

  /** While held, bytes from the broker to the client wait in the proxy; releasing delivers them in order. */
  public Future<Void> holdDownstream(boolean hold) {
    return on(() -> {
      holding = hold;
      if (!hold) {
        pairs.forEach(Pair::release);
      }
      return Future.succeededFuture();
    });
  }

  /** Refuse (close at once) new connections, or accept them again. */
  public Future<Void> refuse(boolean refuse) {
    return on(() -> {
      refusing = refuse;
      return Future.succeededFuture();
    });
  }

  /** Closes every proxied connection, both sides, dropping whatever was held. */
  public Future<Void> cut() {
    return on(() -> {
      List<Future<Void>> closing = new ArrayList<>();
      for (Pair pair : pairs) {
        pair.held = null;
        closing.add(pair.client.close().otherwiseEmpty());
        closing.add(pair.broker.close().otherwiseEmpty());
      }
      pairs.clear();
      return Future.join(closing).mapEmpty();
    });
  }

  public Future<Void> close() {
    return cut().compose(ignored -> on(() -> server == null ? Future.succeededFuture() : server.close()));
  }

  private <T> Future<T> on(java.util.function.Supplier<Future<T>> action) {
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    context.runOnContext(ignored -> action.get().onComplete(promise));
    return promise.future();
  }

  private void accept(NetSocket client) {
    if (refusing) {
      client.close();
      return;
    }
    client.pause();
    vertx.createNetClient().connect(port, host).onSuccess(broker -> {
      Pair pair = new Pair(client, broker);
      pairs.add(pair);
      client.handler(broker::write);
      broker.handler(data -> {
        if (holding) {
          pair.held = pair.held == null ? data.copy() : pair.held.appendBuffer(data);
        } else {
          client.write(data);
        }
      });
      client.closeHandler(ignored -> broker.close());
      broker.closeHandler(ignored -> client.close());
      client.resume();
    }).onFailure(e -> client.close());
  }

  private static final class Pair {
    final NetSocket client;
    final NetSocket broker;
    Buffer held;

    Pair(NetSocket client, NetSocket broker) {
      this.client = client;
      this.broker = broker;
    }

    void release() {
      if (held != null) {
        client.write(held);
        held = null;
      }
    }
  }
}
