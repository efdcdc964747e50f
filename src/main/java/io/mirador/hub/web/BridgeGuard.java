package io.mirador.hub.web;

import io.mirador.metrics.Meters;
import io.mirador.util.RateLimitedLog;
import io.vertx.core.Vertx;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides on what browsers ask of the SockJS bridge before Vert.x does, so that a refusal is counted by reason
 * ({@code mirador_bridge_refused_total}) and logged at most once a {@link #LOG_PERIOD_MS} per client, however fast a
 * client repeats it. Browsers may register for the {@code mirador.live.*} addresses, each once, at most
 * {@link #MAX_PER_SOCKET} per socket, and send nothing. A registration outside the live feed, or a send, is counted
 * and logged here and left to the bridge's permitted lists, which answer {@code access_denied} without a log line; a
 * duplicate, one too many or a too long address (which Vert.x would log at WARN every time) is refused here.
 */
final class BridgeGuard {

  private static final Logger LOG = LoggerFactory.getLogger(BridgeGuard.class);
  static final int MAX_PER_SOCKET = 256;
  static final int MAX_ADDRESS_LENGTH = 200;
  static final long LOG_PERIOD_MS = 10_000;

  private final Pattern permitted;
  private final Meters meters;
  private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
  private final Map<SockJSSocket, Client> clients = new ConcurrentHashMap<>();

  private static final class Client {
    final Set<String> addresses = new HashSet<>();
    final RateLimitedLog log = new RateLimitedLog(LOG, LOG_PERIOD_MS);
  }

  BridgeGuard(Vertx vertx, Pattern permitted) {
    this.permitted = permitted;
    this.meters = Meters.of(vertx);
  }

  /** True when the event may go on to the bridge; false when it is refused (counted, and logged now and then). */
  boolean admits(BridgeEvent event) {
    SockJSSocket socket = event.socket();
    switch (event.type()) {
      case REGISTER -> {
        String address = event.getRawMessage() == null ? null : event.getRawMessage().getString("address");
        Client client = clients.computeIfAbsent(socket, s -> new Client());
        String reason;
        if (address == null || address.length() > MAX_ADDRESS_LENGTH) {
          reason = "address";
        } else if (!permitted.matcher(address).matches()) {
          refuse(socket, client, "not_permitted", address);
          return true; // counted and logged here; the bridge's own permitted list answers access_denied, quietly
        } else if (client.addresses.contains(address)) {
          reason = "duplicate";
        } else if (client.addresses.size() >= MAX_PER_SOCKET) {
          reason = "too_many";
        } else {
          client.addresses.add(address);
          return true;
        }
        return refuse(socket, client, reason, address);
      }
      case SEND, PUBLISH -> {
        String address = event.getRawMessage() == null ? null : event.getRawMessage().getString("address");
        refuse(socket, clients.computeIfAbsent(socket, s -> new Client()), "inbound", address);
        return true; // no inbound address is permitted: the bridge answers access_denied
      }
      case UNREGISTER -> {
        Client client = clients.get(socket);
        if (client != null && event.getRawMessage() != null) {
          client.addresses.remove(event.getRawMessage().getString("address"));
        }
        return true;
      }
      case SOCKET_CLOSED -> {
        clients.remove(socket);
        return true;
      }
      default -> {
        return true;
      }
    }
  }

  private boolean refuse(SockJSSocket socket, Client client, String reason, String address) {
    refused.computeIfAbsent(reason, key -> meters.counter("mirador_bridge_refused_total",
        "SockJS bridge requests refused, by reason: not_permitted, duplicate, too_many, address, inbound", Map.of("reason", key)))
        .increment();
    String shown = address == null ? "(none)" : address.length() > 80 ? address.substring(0, 80) + "..." : address;
    client.log.warn("bridge refused " + reason + " from " + socket.remoteAddress() + ": " + shown);
    return false;
  }
}
