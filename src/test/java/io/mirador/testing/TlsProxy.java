package io.mirador.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TLS server on a free loopback port that forwards the decrypted bytes to a plain server (the local RabbitMQ or
 * Redis, which the tests must not reconfigure): to a client it is that server with TLS. It shows the certificate of
 * the key store it is given and, when given client CAs, accepts only clients with a certificate they signed.
 * {@link #forwarded} counts the connections that passed the handshake and reached the server behind.
 */
public final class TlsProxy {

  private final NetServer server;
  private final NetClient client;
  private final AtomicInteger forwarded = new AtomicInteger();
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();

  private TlsProxy(NetServer server, NetClient client) {
    this.server = server;
    this.client = client;
  }

  /**
   * Listens on 127.0.0.1 with the key and certificate in {@code keyStore} (PKCS12, {@link TestCertificates#PASSWORD});
   * {@code clientCas} (a PKCS12 trust store, or null) makes a client certificate signed by one of them required.
   */
  public static TlsProxy start(Vertx vertx, Path keyStore, Path clientCas, String host, int port) {
    NetServerOptions options = new NetServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
        .setKeyCertOptions(new PfxOptions().setPath(keyStore.toString()).setPassword(TestCertificates.PASSWORD));
    if (clientCas != null) {
      options.setClientAuth(ClientAuth.REQUIRED)
          .setTrustOptions(new PfxOptions().setPath(clientCas.toString()).setPassword(TestCertificates.PASSWORD));
    }
    NetClient client = vertx.createNetClient();
    NetServer server = vertx.createNetServer(options);
    TlsProxy proxy = new TlsProxy(server, client);
    server.connectHandler(socket -> proxy.accept(socket, host, port));
    return Await.result(server.listen().map(proxy));
  }

  public int port() {
    return server.actualPort();
  }

  /** Connections that completed the TLS handshake and were forwarded. */
  public int forwarded() {
    return forwarded.get();
  }

  public void close() {
    List<Future<Void>> closing = sockets.stream().map(socket -> socket.close().otherwiseEmpty()).toList();
    Await.result(Future.join(closing).eventually(server::close).eventually(client::close).mapEmpty());
  }

  private void accept(NetSocket tls, String host, int port) {
    tls.pause();
    client.connect(port, host).onSuccess(plain -> {
      forwarded.incrementAndGet();
      sockets.add(tls);
      sockets.add(plain);
      tls.closeHandler(ignored -> sockets.remove(tls));
      plain.closeHandler(ignored -> sockets.remove(plain));
      tls.pipeTo(plain);
      plain.pipeTo(tls);
    }).onFailure(e -> tls.close());
  }
}
