package io.mirador.hub.enroll;

import io.mirador.Addresses;
import io.mirador.hub.enroll.AgentKeys.AgentKey;
import io.mirador.hub.enroll.AgentKeys.PendingAgent;
import io.mirador.model.EnrollRequest;
import io.mirador.model.Enrolled;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.InvalidEventException;
import io.mirador.transport.HubTransport;
import io.mirador.trust.EnrollmentProof;
import io.mirador.trust.Keys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.PublicKey;
import java.util.Optional;

/**
 * Answers {@code enroll} requests. With a valid token (the hub's bootstrap token, or one an admin made, spent one use
 * at a time) the agent's key is enrolled at once and the agent is sent the hub's keys with the token's proof over them;
 * without one, or with one that does not hold, the request waits for an admin ({@code GET /api/v1/agents/pending}).
 * An agent id already enrolled with another key is never re-keyed by a token: that waits for an admin too (as Salt
 * does with a changed minion key), so a leaked token cannot take over an existing agent.
 */
public final class Enroller {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Enroller.class);

  /** What became of a request. */
  public enum Outcome { ENROLLED, PENDING, REFUSED }

  private final Vertx vertx;
  private final AgentKeys store;
  private final java.util.function.Supplier<Future<HubTrust>> trust;
  private final HubTransport transport;
  private final byte[] bootstrapKey;
  private final String bootstrapId;

  public Enroller(Vertx vertx, AgentKeys store, java.util.function.Supplier<Future<HubTrust>> trust, HubTransport transport, String bootstrapToken) {
    this.vertx = vertx;
    this.store = store;
    this.trust = trust;
    this.transport = transport;
    this.bootstrapKey = bootstrapToken == null ? null : EnrollmentProof.tokenKey(bootstrapToken);
    this.bootstrapId = bootstrapKey == null ? null : EnrollmentProof.tokenId(bootstrapKey);
  }

  /** Handles one request; fails with {@link InvalidEventException} when the request itself is invalid. */
  public Future<Outcome> handle(Envelope event) {
    EnrollRequest request = event.body(EnrollRequest.class);
    PublicKey key;
    try {
      key = Keys.publicKey(Keys.X25519, request.publicKey());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new InvalidEventException("invalid", "enroll: publicKey is not an X25519 public key"));
    }
    String agentId = event.agent();
    String fingerprint = Keys.fingerprint(key);
    long now = System.currentTimeMillis();
    return store.key(agentId).compose(existing -> {
      if (existing.isPresent() && !existing.get().publicKey().equals(request.publicKey())) {
        // decided before the token is looked at, so no use of it is spent on a request that waits anyway
        return pending(event, fingerprint, now, "already enrolled with key " + existing.get().fingerprint()
            + "; accept this one to re-key it, or revoke the old one");
      }
      boolean known = existing.isPresent();
      // the same key asking again (it missed the answer) is answered without spending a use
      return token(request, agentId, now, !known).compose(tokenKey -> {
        if (known) {
          return answer(agentId, request.publicKey(), tokenKey.map(TokenUse::key).orElse(null)).map(Outcome.ENROLLED);
        }
        if (tokenKey.isPresent()) {
          AgentKey enrolled = new AgentKey(agentId, request.publicKey(), fingerprint, request.hostname(), now, tokenKey.get().via());
          return store.putKey(enrolled)
              .onSuccess(put -> vertx.eventBus().publish(Addresses.ENROLL_CHANGED, agentId))
              .compose(put -> answer(agentId, request.publicKey(), tokenKey.get().key()))
              .map(Outcome.ENROLLED);
        }
        return pending(event, fingerprint, now, request.tokenId() == null ? null : "enrollment token refused (unknown, expired, used up or wrong proof)");
      });
    });
  }

  private record TokenUse(byte[] key, String via) {
  }

  /** The token's key when the request proves it holds a usable token (one use spent when {@code spend}), empty otherwise. */
  private Future<Optional<TokenUse>> token(EnrollRequest request, String agentId, long now, boolean spend) {
    if (request.tokenId() == null) {
      return Future.succeededFuture(Optional.empty());
    }
    byte[] proof;
    try {
      proof = Keys.unb64(request.proof());
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(Optional.empty());
    }
    if (request.tokenId().equals(bootstrapId)) {
      boolean proven = Keys.same(proof, EnrollmentProof.request(bootstrapKey, agentId, request.publicKey()));
      return Future.succeededFuture(proven ? Optional.of(new TokenUse(bootstrapKey, "bootstrap token")) : Optional.empty());
    }
    // the proof is checked before a use is spent, so a forged request cannot use a token up
    return store.tokens().compose(tokens -> {
      Optional<AgentKeys.EnrollmentToken> token = tokens.stream().filter(t -> t.id().equals(request.tokenId())).findFirst();
      if (token.isEmpty()) {
        return Future.succeededFuture(Optional.<TokenUse>empty());
      }
      byte[] key = Keys.unb64(token.get().key());
      if (!Keys.same(proof, EnrollmentProof.request(key, agentId, request.publicKey()))) {
        return Future.succeededFuture(Optional.<TokenUse>empty());
      }
      if (!spend) {
        return Future.succeededFuture(Optional.of(new TokenUse(key, "token " + token.get().id())));
      }
      return store.useToken(token.get().id(), now).map(used -> used.map(t -> new TokenUse(key, "token " + t.id())));
    });
  }

  private Future<Outcome> pending(Envelope event, String fingerprint, long now, String note) {
    EnrollRequest request = event.body(EnrollRequest.class);
    return store.addPending(new PendingAgent(event.agent(), request.publicKey(), fingerprint, request.hostname(), now, note))
        .map(added -> added ? Outcome.PENDING : Outcome.REFUSED);
  }

  /** {@link #send}, whose failure is only logged: the agent is enrolled, and asks again (every minute) until answered. */
  private Future<Void> answer(String agentId, String agentPublicKey, byte[] tokenKey) {
    return send(agentId, agentPublicKey, tokenKey).recover(e -> {
      LOG.warn("agent {} is enrolled but the hub's keys were not sent to it now: {}", agentId, e.getMessage());
      return Future.succeededFuture();
    });
  }

  /**
   * Sends the agent the hub's keys ({@code enrolled}, signed like every command), with the token's proof over them
   * when the agent enrolled with a token.
   */
  public Future<Void> send(String agentId, String agentPublicKey, byte[] tokenKey) {
    return trust.get().compose(hub -> {
      String proof = tokenKey == null ? null
          : Keys.b64(EnrollmentProof.reply(tokenKey, agentId, agentPublicKey, hub.agreementKey(), hub.signingKey()));
      long now = System.currentTimeMillis();
      Envelope answer = Envelope.of(EventType.ENROLLED, agentId, now, now, new Enrolled(hub.agreementKey(), hub.signingKey(), proof));
      return transport.sendToAgent(agentId, answer);
    });
  }
}
