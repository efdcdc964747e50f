package io.mirador.hub.enroll;

import io.mirador.store.Stores;
import io.mirador.trust.CommandSignature;
import io.mirador.trust.EnvelopeMac;
import io.mirador.trust.Keys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Map;

/**
 * The hub's key pairs, loaded once per node from the store (the first node to start makes them, every later one
 * reads the same): X25519 for the per-agent envelope MAC keys, Ed25519 for the signatures on commands.
 */
public final class HubTrust {

  private static final String MAP = "mirador.hub.trust";

  private final PrivateKey agreementPrivate;
  private final PublicKey agreement;
  private final PrivateKey signingPrivate;
  private final PublicKey signing;
  private final String agreementText;
  private final String signingText;

  HubTrust(AgentKeys.HubKeys keys) {
    this.agreementPrivate = Keys.privateKey(Keys.X25519, keys.agreementPrivate());
    this.agreement = Keys.publicKey(Keys.X25519, keys.agreementPublic());
    this.signingPrivate = Keys.privateKey(Keys.ED25519, keys.signingPrivate());
    this.signing = Keys.publicKey(Keys.ED25519, keys.signingPublic());
    this.agreementText = keys.agreementPublic();
    this.signingText = keys.signingPublic();
  }

  /** This node's copy, loaded (or made and stored) on first use; a failed load is tried again by the next caller. */
  public static Future<HubTrust> shared(Vertx vertx, JsonObject config) {
    var map = vertx.sharedData().<String, Holder>getLocalMap(MAP);
    Holder holder = map.computeIfAbsent("trust", key -> new Holder(load(Stores.shared(vertx, config).agentKeys())));
    return holder.trust.recover(failure -> {
      map.remove("trust", holder);
      return Future.failedFuture(failure);
    });
  }

  static Future<HubTrust> load(AgentKeys store) {
    KeyPair agreement = Keys.generate(Keys.X25519);
    KeyPair signing = Keys.generate(Keys.ED25519);
    AgentKeys.HubKeys candidate = new AgentKeys.HubKeys(Keys.text(agreement.getPublic()), Keys.text(agreement.getPrivate()),
        Keys.text(signing.getPublic()), Keys.text(signing.getPrivate()), System.currentTimeMillis());
    return store.hubKeys(candidate).map(HubTrust::new);
  }

  private record Holder(Future<HubTrust> trust) implements Shareable {
  }

  public String agreementKey() {
    return agreementText;
  }

  public String signingKey() {
    return signingText;
  }

  /** What operators pin ({@code agent.hubKey}) and compare: the fingerprint of the signing key. */
  public String fingerprint() {
    return Keys.fingerprint(signing);
  }

  /** The MAC key of an agent with this enrolled public key. */
  public byte[] macKey(String agentId, String agentPublicKey) {
    return EnvelopeMac.hubKey(agreementPrivate, Keys.publicKey(Keys.X25519, agentPublicKey), agentId);
  }

  /** The AMQP headers of a signed command: signature and expiry. */
  public Map<String, Object> sign(byte[] envelope, long notAfter) {
    return Map.of(CommandSignature.HEADER, Keys.b64(CommandSignature.sign(signingPrivate, notAfter, envelope)),
        CommandSignature.NOT_AFTER, notAfter);
  }
}
