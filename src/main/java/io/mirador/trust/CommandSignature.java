package io.mirador.trust;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;

/**
 * Hub → agent commands are signed by the hub: Ed25519 over a fixed label, the command's expiry {@code notAfter}
 * (epoch ms) and the exact bytes of the encoded envelope. The signature travels in the AMQP header {@value #HEADER},
 * the expiry in {@value #NOT_AFTER}; the envelope and its JSON stay as they are. An agent runs a command only when the
 * signature is the hub's (the key it learned at enrollment), the expiry is not past and the envelope names it.
 */
public final class CommandSignature {

  public static final String HEADER = "x-mirador-sig";
  public static final String NOT_AFTER = "x-mirador-not-after";
  private static final String LABEL = "mirador command v1\n";

  private CommandSignature() {
  }

  public static byte[] sign(PrivateKey hubSigning, long notAfter, byte[] envelope) {
    return Keys.sign(hubSigning, prefix(notAfter), envelope);
  }

  public static boolean verify(PublicKey hubSigning, byte[] signature, long notAfter, byte[] envelope) {
    return signature != null && Keys.verify(hubSigning, signature, prefix(notAfter), envelope);
  }

  private static byte[] prefix(long notAfter) {
    return (LABEL + notAfter + "\n").getBytes(StandardCharsets.US_ASCII);
  }
}
