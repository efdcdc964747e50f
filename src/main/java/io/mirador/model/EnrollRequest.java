package io.mirador.model;

import static io.mirador.model.InvalidEventException.require;

/**
 * Body of an {@code enroll} event: an agent asking the hub to take its public key (X25519, X.509 text). With an
 * enrollment token it carries the token's id and an HMAC proving the agent holds it; without, the request waits for
 * an admin to accept the key. Not numbered: sent with seq 1, outside the agent's sequence, never stored as an event.
 */
public record EnrollRequest(String publicKey, String hostname, String tokenId, String proof) implements EventBody {

  public static final int MAX_FIELD = 256;

  @Override
  public void validate() {
    require(publicKey != null && !publicKey.isBlank() && publicKey.length() <= MAX_FIELD, "enroll: publicKey is required (at most " + MAX_FIELD + " chars)");
    require(hostname == null || hostname.length() <= MAX_FIELD, "enroll: hostname at most " + MAX_FIELD + " chars");
    require((tokenId == null) == (proof == null), "enroll: tokenId and proof come together");
    require(tokenId == null || (tokenId.length() <= 64 && proof.length() <= 128), "enroll: tokenId or proof too long");
  }
}
