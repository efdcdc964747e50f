package io.mirador.model;

import static io.mirador.model.InvalidEventException.require;

/**
 * Body of an {@code enrolled} command: the hub's public keys (X25519 for the agent's envelope MAC, Ed25519 for command
 * signatures) and, when the agent enrolled with a token, an HMAC binding them to that token.
 */
public record Enrolled(String hubKey, String hubSigningKey, String proof) implements EventBody {

  @Override
  public void validate() {
    require(hubKey != null && hubKey.length() <= EnrollRequest.MAX_FIELD, "enrolled: hubKey is required");
    require(hubSigningKey != null && hubSigningKey.length() <= EnrollRequest.MAX_FIELD, "enrolled: hubSigningKey is required");
    require(proof == null || proof.length() <= 128, "enrolled: proof too long");
  }
}
