package io.mirador.trust;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What an enrollment token proves, without the token ever crossing the broker or being stored. Agent and hub both
 * turn the token into a key, {@code SHA-256("mirador enrollment token v1\n" + token)}; the hub stores only that key
 * (a token is 32 random bytes when the hub makes it, so a fast hash is enough), under an id derived from it, which the
 * agent sends in the clear. The agent proves it holds the token by an HMAC over its id and public key; the hub answers
 * with an HMAC over the same and its own public keys, so an agent learns the hub's keys bound to its token and a
 * broker attacker cannot substitute theirs.
 */
public final class EnrollmentProof {

  private EnrollmentProof() {
  }

  public static byte[] tokenKey(String token) {
    return Keys.sha256(("mirador enrollment token v1\n" + token).getBytes(StandardCharsets.UTF_8));
  }

  /** The id a token is found by: the first 12 characters of base64url(SHA-256(token key)); says nothing of the token. */
  public static String tokenId(byte[] tokenKey) {
    return Keys.b64(Arrays.copyOf(Keys.sha256(tokenKey), 9));
  }

  public static byte[] request(byte[] tokenKey, String agentId, String agentPublic) {
    return Keys.hmac(tokenKey, "enroll", agentId, agentPublic);
  }

  public static byte[] reply(byte[] tokenKey, String agentId, String agentPublic, String hubAgreement, String hubSigning) {
    return Keys.hmac(tokenKey, "enrolled", agentId, agentPublic, hubAgreement, hubSigning);
  }
}
