package io.mirador.agent;

import io.mirador.model.EnrollRequest;
import io.mirador.model.Enrolled;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.trust.CommandSignature;
import io.mirador.trust.EnrollmentProof;
import io.mirador.trust.EnvelopeMac;
import io.mirador.trust.Keys;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who this agent is to the hub, and who the hub is to it. The agent's X25519 key pair is made on its first start and
 * kept in {@code <dataDir>/agent.key} (mode 0600); the hub's public keys, learned at enrollment, in
 * {@code <dataDir>/hub.json}. From the two comes the key of the HMAC on every envelope the agent publishes
 * ({@link EnvelopeMac}); with the hub's signing key the agent checks every command it receives
 * ({@link CommandSignature}) and runs none that the hub did not sign, that expired, that names another agent or that
 * it saw already.
 *
 * <p>Enrollment: until it has the hub's keys the agent publishes nothing but its {@code enroll} request (its public key,
 * and with {@code agent.enroll.token} a proof that it holds the token); the events it makes meanwhile wait in the
 * spool. The hub's {@code enrolled} answer is believed when it carries the token's proof over the hub's keys, or when
 * its signing key has the fingerprint pinned in {@code agent.hubKey}, or (no token, nothing pinned: an admin accepted
 * the key) on first use, which the log says. Blocking file I/O: {@link #load} and {@link #accept} run on a worker.
 */
public final class AgentTrust {

  private static final Logger LOG = LoggerFactory.getLogger(AgentTrust.class);
  static final String KEY_FILE = "agent.key";
  static final String HUB_FILE = "hub.json";
  /** Command signatures remembered to refuse a replay while they are valid. */
  private static final int SEEN_MAX = 10_000;

  private final String agentId;
  private final Path dataDir;
  private final String token;
  private final boolean enabled;
  private final String pinned;
  private final String hostname;
  /** {@code --rekey}: forget the key pair and the hub's keys at this start, and enroll a new key. */
  private final boolean rekey;
  private volatile KeyPair keys;
  private volatile PublicKey hubSigning;
  private volatile byte[] macKey;
  /** A Mac per publishing thread (a Mac is not thread-safe), made again when the key changed. */
  private final ThreadLocal<KeyedMac> macs = new ThreadLocal<>();
  private final Map<String, Long> seen = new LinkedHashMap<>();

  AgentTrust(String agentId, Path dataDir, String token, boolean enabled, String pinned, String hostname) {
    this(agentId, dataDir, token, enabled, pinned, hostname, false);
  }

  AgentTrust(String agentId, Path dataDir, String token, boolean enabled, String pinned, String hostname, boolean rekey) {
    this.rekey = rekey;
    this.agentId = agentId;
    this.dataDir = dataDir;
    this.token = token == null || token.isBlank() ? null : token;
    this.enabled = enabled;
    this.pinned = pinned == null || pinned.isBlank() ? null : pinned.strip();
    this.hostname = hostname;
  }

  /** From {@code agent.dataDir}, {@code agent.enroll.token|enabled} and {@code agent.hubKey}. Reads no file yet. */
  public static AgentTrust of(JsonObject config, String agentId) {
    AgentConfig agent = AgentConfig.of(config);
    JsonObject enroll = io.mirador.config.Settings.section(agent.section(), "enroll");
    Object enabled = enroll.getValue("enabled", true);
    if (!(enabled instanceof Boolean flag)) {
      throw new IllegalArgumentException("agent.enroll.enabled must be true or false, got " + enabled);
    }
    return new AgentTrust(agentId, Path.of(agent.dataDir()), enroll.getString("token"), flag, agent.section().getString("hubKey"), agent.hostname(),
        Boolean.TRUE.equals(enroll.getValue("rekey")));
  }

  /** Loads (or makes, on first start) the key pair, and the hub's keys when enrolled. Blocking. */
  public synchronized void load() {
    if (keys != null) {
      return;
    }
    try {
      Files.createDirectories(dataDir);
      Path keyFile = dataDir.resolve(KEY_FILE);
      if (rekey && (Files.deleteIfExists(keyFile) | Files.deleteIfExists(dataDir.resolve(HUB_FILE)))) {
        LOG.warn("agent {}: --rekey: forgot its key pair and the hub's keys; enrolling a new key", agentId);
      }
      if (Files.exists(keyFile)) {
        JsonObject stored = new JsonObject(Files.readString(keyFile));
        keys = new KeyPair(Keys.publicKey(Keys.X25519, stored.getString("public")), Keys.privateKey(Keys.X25519, stored.getString("private")));
      } else {
        KeyPair made = Keys.generate(Keys.X25519);
        writePrivate(keyFile, new JsonObject().put("public", Keys.text(made.getPublic())).put("private", Keys.text(made.getPrivate())).encode());
        keys = made;
        LOG.info("agent {}: made its key pair, fingerprint {}", agentId, Keys.fingerprint(made.getPublic()));
      }
      Path hubFile = dataDir.resolve(HUB_FILE);
      if (Files.exists(hubFile)) {
        JsonObject hub = new JsonObject(Files.readString(hubFile));
        use(Keys.publicKey(Keys.X25519, hub.getString("hubKey")), Keys.publicKey(Keys.ED25519, hub.getString("hubSigningKey")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the agent's keys in " + dataDir, e);
    } catch (RuntimeException e) {
      throw new IllegalStateException("the agent's key files in " + dataDir + " are unreadable (" + e.getMessage()
          + "); remove " + KEY_FILE + " and " + HUB_FILE + " to enroll again", e);
    }
  }

  /** Whether the agent must be enrolled before it publishes ({@code agent.enroll.enabled}, default true). */
  public boolean required() {
    return enabled;
  }

  public boolean enrolled() {
    return macKey != null;
  }

  public String fingerprint() {
    return keys == null ? null : Keys.fingerprint(keys.getPublic());
  }

  /** The MAC header value for these envelope bytes; null before enrollment. */
  public String mac(byte[] envelope) {
    byte[] key = macKey;
    if (key == null) {
      return null;
    }
    KeyedMac mac = macs.get();
    if (mac == null || mac.key != key) {
      mac = new KeyedMac(key, Keys.hmac(key));
      macs.set(mac);
    }
    return Keys.b64(EnvelopeMac.of(mac.mac, envelope));
  }

  /** The {@code enroll} request: the public key, and the token's proof when there is a token. */
  public Envelope enrollRequest() {
    String publicKey = Keys.text(keys.getPublic());
    String tokenId = null;
    String proof = null;
    if (token != null) {
      byte[] tokenKey = EnrollmentProof.tokenKey(token);
      tokenId = EnrollmentProof.tokenId(tokenKey);
      proof = Keys.b64(EnrollmentProof.request(tokenKey, agentId, publicKey));
    }
    return Envelope.of(EventType.ENROLL, agentId, 1, System.currentTimeMillis(), new EnrollRequest(publicKey, hostname, tokenId, proof));
  }

  /**
   * The hub's {@code enrolled} answer with its headers: null when believed (the hub's keys are then kept in
   * {@code hub.json}), or why not. Blocking.
   */
  public synchronized String accept(Envelope answer, Map<String, Object> headers, byte[] bytes) {
    if (!agentId.equals(answer.agent())) {
      return "enrolled names agent " + answer.agent() + ", not this one";
    }
    Enrolled body = answer.body(Enrolled.class);
    PublicKey agreement;
    PublicKey signing;
    try {
      agreement = Keys.publicKey(Keys.X25519, body.hubKey());
      signing = Keys.publicKey(Keys.ED25519, body.hubSigningKey());
    } catch (IllegalArgumentException e) {
      return "enrolled carries no valid hub keys";
    }
    String unsigned = signatureProblem(signing, headers, bytes, System.currentTimeMillis());
    if (unsigned != null) {
      return "enrolled: " + unsigned;
    }
    String fingerprint = Keys.fingerprint(signing);
    String publicKey = Keys.text(keys.getPublic());
    boolean proven = token != null && body.proof() != null && Keys.same(Keys.unb64(body.proof()),
        EnrollmentProof.reply(EnrollmentProof.tokenKey(token), agentId, publicKey, body.hubKey(), body.hubSigningKey()));
    if (pinned != null && !pinned.equals(fingerprint)) {
      return "enrolled: the hub's key " + fingerprint + " is not the pinned agent.hubKey";
    }
    if (hubSigning != null && !hubSigning.equals(signing) && !proven) {
      return "enrolled: signed by another hub key than the one this agent knows, without the token's proof";
    }
    if (token != null && !proven && pinned == null && hubSigning == null) {
      return "enrolled: no valid proof of the enrollment token over the hub's keys";
    }
    if (!proven && pinned == null && hubSigning == null) {
      LOG.warn("agent {}: enrolled by an admin's acceptance; trusting hub key {} on first use (pin it with agent.hubKey)", agentId, fingerprint);
    }
    try {
      writePrivate(dataDir.resolve(HUB_FILE), new JsonObject().put("hubKey", body.hubKey()).put("hubSigningKey", body.hubSigningKey())
          .put("fingerprint", fingerprint).encode());
    } catch (IOException e) {
      return "cannot keep the hub's keys: " + e.getMessage();
    }
    use(agreement, signing);
    LOG.info("agent {}: enrolled with hub key {}", agentId, fingerprint);
    return null;
  }

  /**
   * Why this command must not run, or null: it must be signed by the hub's key, not expired, for this agent, and not
   * one seen before.
   */
  public synchronized String check(Envelope command, Map<String, Object> headers, byte[] bytes, long now) {
    if (hubSigning == null) {
      return "not enrolled: no hub key to check commands with";
    }
    if (!agentId.equals(command.agent())) {
      return "command for agent " + command.agent() + ", not this one";
    }
    String problem = signatureProblem(hubSigning, headers, bytes, now);
    if (problem != null) {
      return problem;
    }
    String signature = String.valueOf(headers.get(CommandSignature.HEADER));
    seen.values().removeIf(notAfter -> notAfter < now);
    if (seen.containsKey(signature)) {
      return "replayed: this signed command was received before";
    }
    if (seen.size() >= SEEN_MAX) {
      seen.remove(seen.keySet().iterator().next());
    }
    seen.put(signature, notAfter(headers));
    return null;
  }

  private static String signatureProblem(PublicKey key, Map<String, Object> headers, byte[] bytes, long now) {
    if (headers == null || headers.get(CommandSignature.HEADER) == null || !(headers.get(CommandSignature.NOT_AFTER) instanceof Number)) {
      return "unsigned";
    }
    long notAfter = notAfter(headers);
    byte[] signature;
    try {
      signature = Keys.unb64(String.valueOf(headers.get(CommandSignature.HEADER)));
    } catch (IllegalArgumentException e) {
      return "bad signature";
    }
    if (!CommandSignature.verify(key, signature, notAfter, bytes)) {
      return "bad signature: not signed by the hub's key";
    }
    if (notAfter < now) {
      return "expired at " + notAfter;
    }
    return null;
  }

  private static long notAfter(Map<String, Object> headers) {
    return ((Number) headers.get(CommandSignature.NOT_AFTER)).longValue();
  }

  private void use(PublicKey agreement, PublicKey signing) {
    hubSigning = signing;
    macKey = EnvelopeMac.key(keys.getPrivate(), agreement, agentId);
  }

  private record KeyedMac(byte[] key, Mac mac) {
  }

  /** Written whole under a temporary name readable by the owner only, then moved in place. */
  private static void writePrivate(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
