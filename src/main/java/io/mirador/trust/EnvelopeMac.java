package io.mirador.trust;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import javax.crypto.Mac;

/**
 * Per-agent authentication of what an agent sends: HMAC-SHA256 over the exact bytes of the encoded envelope (the bytes
 * spooled are the bytes published, so a replay from the spool carries the same MAC), sent in the AMQP header
 * {@value #HEADER}. The key is derived on both sides from an X25519 agreement between the agent's key pair and the
 * hub's, so no secret ever crosses the broker: the agent computes it with its private key and the hub's public key,
 * the hub with its private key and the agent's enrolled public key.
 */
public final class EnvelopeMac {

  public static final String HEADER = "x-mirador-mac";
  private static final String LABEL = "mirador envelope mac v1";

  private EnvelopeMac() {
  }

  /** The agent's side: its private key, the hub's public agreement key. */
  public static byte[] key(PrivateKey agentPrivate, PublicKey hubPublic, String agentId) {
    return derive(Keys.agree(agentPrivate, hubPublic), agentId);
  }

  /** The hub's side: its private agreement key, the agent's enrolled public key. */
  public static byte[] hubKey(PrivateKey hubPrivate, PublicKey agentPublic, String agentId) {
    return derive(Keys.agree(hubPrivate, agentPublic), agentId);
  }

  private static byte[] derive(byte[] shared, String agentId) {
    return Keys.hmac(shared, LABEL, agentId);
  }

  /** The MAC of these bytes with a {@link Mac} made by {@link Keys#hmac(byte[])} (not thread-safe: one per thread). */
  public static byte[] of(Mac mac, byte[] bytes) {
    mac.reset();
    return mac.doFinal(bytes);
  }

  /** A header value's bytes: AMQP hands header strings back as LongString or byte[]. */
  public static byte[] headerBytes(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof byte[] bytes) {
      return bytes;
    }
    return value.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
