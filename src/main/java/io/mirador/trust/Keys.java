package io.mirador.trust;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The JDK's own X25519 (key agreement), Ed25519 (signatures) and HMAC-SHA256, with keys as text: public keys in their
 * X.509 encoding, private keys in PKCS#8, both base64url without padding. No dependency beyond the JDK.
 */
public final class Keys {

  public static final String X25519 = "X25519";
  public static final String ED25519 = "Ed25519";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private Keys() {
  }

  public static KeyPair generate(String algorithm) {
    try {
      return KeyPairGenerator.getInstance(algorithm).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no " + algorithm, e);
    }
  }

  public static String text(PublicKey key) {
    return B64.encodeToString(key.getEncoded());
  }

  public static String text(PrivateKey key) {
    return B64.encodeToString(key.getEncoded());
  }

  /** A public key from its text; IllegalArgumentException when it is not one of that algorithm. */
  public static PublicKey publicKey(String algorithm, String text) {
    try {
      return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(B64D.decode(text)));
    } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("not an " + algorithm + " public key");
    }
  }

  public static PrivateKey privateKey(String algorithm, String text) {
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(B64D.decode(text)));
    } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("not an " + algorithm + " private key");
    }
  }

  /** {@code SHA256:<base64url>} of the key's encoding: what an operator compares by eye, as with ssh and Salt. */
  public static String fingerprint(PublicKey key) {
    return "SHA256:" + B64.encodeToString(sha256(key.getEncoded()));
  }

  /** The X25519 shared secret of one side's private key and the other side's public key (the same on both sides). */
  public static byte[] agree(PrivateKey mine, PublicKey theirs) {
    try {
      KeyAgreement agreement = KeyAgreement.getInstance(X25519);
      agreement.init(mine);
      agreement.doPhase(theirs, true);
      return agreement.generateSecret();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("key agreement failed: " + e.getMessage());
    }
  }

  public static byte[] sign(PrivateKey key, byte[]... parts) {
    try {
      Signature signature = Signature.getInstance(ED25519);
      signature.initSign(key);
      for (byte[] part : parts) {
        signature.update(part);
      }
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign: " + e.getMessage(), e);
    }
  }

  public static boolean verify(PublicKey key, byte[] signed, byte[]... parts) {
    try {
      Signature signature = Signature.getInstance(ED25519);
      signature.initVerify(key);
      for (byte[] part : parts) {
        signature.update(part);
      }
      return signature.verify(signed);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  public static Mac hmac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no HmacSHA256", e);
    }
  }

  public static byte[] hmac(byte[] key, String... parts) {
    Mac mac = hmac(key);
    for (String part : parts) {
      mac.update(part.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) '\n');
    }
    return mac.doFinal();
  }

  public static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
  }

  public static String b64(byte[] bytes) {
    return B64.encodeToString(bytes);
  }

  /** Bytes from base64url; IllegalArgumentException when it is not. */
  public static byte[] unb64(String text) {
    if (text == null) {
      throw new IllegalArgumentException("missing");
    }
    return B64D.decode(text);
  }

  /** Equal in time independent of where they differ. */
  public static boolean same(byte[] a, byte[] b) {
    return a != null && b != null && MessageDigest.isEqual(a, b);
  }
}
