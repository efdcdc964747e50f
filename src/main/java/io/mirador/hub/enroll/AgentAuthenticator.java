package io.mirador.hub.enroll;

import io.mirador.model.Envelope;
import io.mirador.transport.HubTransport;
import io.mirador.trust.EnvelopeMac;
import io.mirador.trust.Keys;
import io.mirador.transport.rabbitmq.Topology;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.crypto.Mac;

/**
 * Checks that an envelope comes from the agent it names, before anything of it is stored: the routing key must be
 * {@code <type>.<agent>}, the MAC header must be there and must be the HMAC of the exact bytes with that agent's key.
 * Each failure has its reason, which the channel puts on the dead-lettered message and on the rejection counter:
 * {@code unauthenticated} (no MAC), {@code unknown_agent} (not enrolled, or revoked), {@code agent_mismatch} (the MAC
 * is not the named agent's: another agent's key, or a forgery), {@code routing_key}.
 *
 * <p>Per channel verticle (one event loop, so no locking): each agent's Mac is derived once and cached, at most
 * {@link #MAX_CACHED} agents, least recently used forgotten first, each for {@link #TTL_MS} at most so a revocation made
 * on another node is seen even if its notice ({@link io.mirador.Addresses#ENROLL_CHANGED}) was missed. An unknown
 * agent is remembered as such for {@link #UNKNOWN_TTL_MS}, so a flood of forged ids costs one store read each per
 * second at most, and an agent just enrolled is believed within a second anywhere.
 */
public final class AgentAuthenticator {

  public static final int MAX_CACHED = 50_000;
  static final long TTL_MS = 60_000;
  static final long UNKNOWN_TTL_MS = 1_000;

  public static final String UNAUTHENTICATED = "unauthenticated";
  public static final String UNKNOWN_AGENT = "unknown_agent";
  public static final String AGENT_MISMATCH = "agent_mismatch";
  public static final String ROUTING_KEY = "routing_key";

  private final AgentKeys store;
  private final Supplier<Future<HubTrust>> trust;
  private final LongSupplier clock;
  private final Map<String, Cached> cache = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
      return size() > MAX_CACHED;
    }
  };

  public AgentAuthenticator(AgentKeys store, Supplier<Future<HubTrust>> trust, LongSupplier clock) {
    this.store = store;
    this.trust = trust;
    this.clock = clock;
  }

  /** A failure, with its reason code and a sentence. */
  public record Refusal(String code, String message) {
  }

  /** Null when the envelope is its agent's; otherwise why not. Completes at once when the agent's key is cached. */
  public Future<Refusal> check(Envelope event, HubTransport.Delivery delivery) {
    String routingKey = delivery.routingKey();
    if (routingKey != null && !routingKey.equals(Topology.ingestRoutingKey(event.type(), event.agent()))) {
      return Future.succeededFuture(new Refusal(ROUTING_KEY, "routing key " + routingKey + " does not name agent " + event.agent()));
    }
    byte[] mac = EnvelopeMac.headerBytes(delivery.header(EnvelopeMac.HEADER));
    if (mac == null) {
      return Future.succeededFuture(new Refusal(UNAUTHENTICATED, "no " + EnvelopeMac.HEADER + " header: " + event.type().wireName()
          + " from agent " + event.agent() + " is not authenticated (is the agent enrolled?)"));
    }
    long now = clock.getAsLong();
    Cached cached = cache.get(event.agent());
    if (cached != null && cached.until > now) {
      return Future.succeededFuture(verify(cached, event, mac, delivery.body()));
    }
    return load(event.agent(), now).map(loaded -> verify(loaded, event, mac, delivery.body()));
  }

  /** Forgets what is cached of an agent (its key was enrolled, replaced or revoked). */
  public void forget(String agentId) {
    cache.remove(agentId);
  }

  private Future<Cached> load(String agentId, long now) {
    return trust.get().compose(hub -> store.key(agentId).map(key -> {
      Cached loaded = key.isEmpty() ? new Cached(null, now + UNKNOWN_TTL_MS)
          : new Cached(Keys.hmac(hub.macKey(agentId, key.get().publicKey())), now + TTL_MS);
      cache.put(agentId, loaded);
      return loaded;
    }));
  }

  private static Refusal verify(Cached cached, Envelope event, byte[] header, byte[] body) {
    if (cached.mac == null) {
      return new Refusal(UNKNOWN_AGENT, "agent " + event.agent() + " is not enrolled (or its key was revoked)");
    }
    byte[] expected = Keys.b64(EnvelopeMac.of(cached.mac, body)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    if (!Keys.same(expected, header)) {
      return new Refusal(AGENT_MISMATCH, event.type().wireName() + " seq " + event.seq() + " names agent " + event.agent()
          + " but is not authenticated with its key");
    }
    return null;
  }

  private record Cached(Mac mac, long until) {
  }
}
