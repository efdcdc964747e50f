package io.mirador.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.model.Command;
import io.mirador.model.EnrollRequest;
import io.mirador.model.Enrolled;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.Wire;
import io.mirador.trust.CommandSignature;
import io.mirador.trust.EnrollmentProof;
import io.mirador.trust.EnvelopeMac;
import io.mirador.trust.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's side of trust, with real keys and files: what it believes at enrollment, the MAC it puts on envelopes
 * (the one the hub computes from its side), and which commands it refuses.
 */
class AgentTrustTest {

  private static final String AGENT = "agent-7";
  private static final String TOKEN = "a-token";

  @TempDir
  Path dataDir;

  private final KeyPair hubAgreement = Keys.generate(Keys.X25519);
  private final KeyPair hubSigning = Keys.generate(Keys.ED25519);

  private AgentTrust trust(String token, String pinned) {
    AgentTrust trust = new AgentTrust(AGENT, dataDir, token, true, pinned, "web-1");
    trust.load();
    return trust;
  }

  /** The hub's answer as the hub makes it: its keys, the token's proof when given, signed. */
  private Answer answer(KeyPair agreement, KeyPair signing, byte[] tokenKey, String agentPublic) {
    String proof = tokenKey == null ? null
        : Keys.b64(EnrollmentProof.reply(tokenKey, AGENT, agentPublic, Keys.text(agreement.getPublic()), Keys.text(signing.getPublic())));
    Envelope envelope = Envelope.of(EventType.ENROLLED, AGENT, 5, 1_764_000_000_000L,
        new Enrolled(Keys.text(agreement.getPublic()), Keys.text(signing.getPublic()), proof));
    byte[] bytes = Wire.standard().encode(envelope);
    return new Answer(envelope, bytes, signed(signing, System.currentTimeMillis() + 60_000, bytes));
  }

  private record Answer(Envelope envelope, byte[] bytes, Map<String, Object> headers) {
  }

  private static Map<String, Object> signed(KeyPair signing, long notAfter, byte[] bytes) {
    return Map.of(CommandSignature.HEADER, Keys.b64(CommandSignature.sign(signing.getPrivate(), notAfter, bytes)), CommandSignature.NOT_AFTER, notAfter);
  }

  private String agentPublic(AgentTrust trust) {
    return trust.enrollRequest().body(EnrollRequest.class).publicKey();
  }

  @Test
  void theKeyPairIsMadeOnceKeptOwnerOnlyAndTheRequestProvesTheToken() throws Exception {
    AgentTrust first = trust(TOKEN, null);
    String key = agentPublic(first);
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("agent.key"))));
    assertEquals(key, agentPublic(trust(TOKEN, null)), "the same key after a restart");
    EnrollRequest request = first.enrollRequest().body(EnrollRequest.class);
    byte[] tokenKey = EnrollmentProof.tokenKey(TOKEN);
    assertEquals(EnrollmentProof.tokenId(tokenKey), request.tokenId());
    assertTrue(Keys.same(EnrollmentProof.request(tokenKey, AGENT, key), Keys.unb64(request.proof())));
    assertFalse(first.enrollRequest().toString().contains(TOKEN), "the token itself is never sent");
    assertFalse(first.enrolled());
    assertNull(first.mac(new byte[] {1}));
  }

  @Test
  void anAnswerProvenWithTheTokenEnrollsAndTheMacIsTheOneTheHubComputes() {
    AgentTrust trust = trust(TOKEN, null);
    Answer answer = answer(hubAgreement, hubSigning, EnrollmentProof.tokenKey(TOKEN), agentPublic(trust));
    assertNull(trust.accept(answer.envelope(), answer.headers(), answer.bytes()));
    assertTrue(trust.enrolled());
    byte[] envelope = "{\"v\":1}".getBytes();
    byte[] hubSide = EnvelopeMac.hubKey(hubAgreement.getPrivate(), Keys.publicKey(Keys.X25519, agentPublic(trust)), AGENT);
    assertEquals(Keys.b64(EnvelopeMac.of(Keys.hmac(hubSide), envelope)), trust.mac(envelope));
    AgentTrust restarted = trust(TOKEN, null);
    assertTrue(restarted.enrolled(), "the hub's keys are kept");
    assertEquals(trust.mac(envelope), restarted.mac(envelope));
  }

  @Test
  void rekeyMakesANewKeyAndForgetsTheHubs() {
    AgentTrust trust = trust(TOKEN, null);
    String before = agentPublic(trust);
    Answer answer = answer(hubAgreement, hubSigning, EnrollmentProof.tokenKey(TOKEN), before);
    assertNull(trust.accept(answer.envelope(), answer.headers(), answer.bytes()));
    AgentTrust rekeyed = new AgentTrust(AGENT, dataDir, TOKEN, true, null, "web-1", true);
    rekeyed.load();
    assertFalse(rekeyed.enrolled(), "enrolls again");
    assertFalse(before.equals(agentPublic(rekeyed)), "with a new key");
    assertEquals(agentPublic(rekeyed), agentPublic(trust(TOKEN, null)), "kept for the next start");
  }

  @Test
  void anAnswerWithAnotherHubsKeysIsRefusedWithoutTheTokensProofOrThePin() {
    AgentTrust trust = trust(TOKEN, null);
    KeyPair otherAgreement = Keys.generate(Keys.X25519);
    KeyPair otherSigning = Keys.generate(Keys.ED25519);
    Answer forged = answer(otherAgreement, otherSigning, null, agentPublic(trust));
    assertTrue(trust.accept(forged.envelope(), forged.headers(), forged.bytes()).contains("no valid proof"));
    Answer wrongToken = answer(otherAgreement, otherSigning, EnrollmentProof.tokenKey("guessed"), agentPublic(trust));
    assertTrue(trust.accept(wrongToken.envelope(), wrongToken.headers(), wrongToken.bytes()).contains("no valid proof"));
    assertFalse(trust.enrolled());

    AgentTrust pinned = new AgentTrust("agent-7", dataDir.resolve("pinned"), null, true, Keys.fingerprint(hubSigning.getPublic()), "web-1");
    pinned.load();
    Answer other = answer(otherAgreement, otherSigning, null, agentPublic(pinned));
    assertTrue(pinned.accept(other.envelope(), other.headers(), other.bytes()).contains("not the pinned"));
    Answer real = answer(hubAgreement, hubSigning, null, agentPublic(pinned));
    assertNull(pinned.accept(real.envelope(), real.headers(), real.bytes()), "the pinned hub is believed without a token");
  }

  @Test
  void onlyCommandsSignedByTheHubForThisAgentAndNotExpiredOrSeenRun() throws Exception {
    AgentTrust trust = trust(TOKEN, null);
    Answer answer = answer(hubAgreement, hubSigning, EnrollmentProof.tokenKey(TOKEN), agentPublic(trust));
    assertNull(trust.accept(answer.envelope(), answer.headers(), answer.bytes()));
    long now = System.currentTimeMillis();
    Envelope config = Envelope.of(EventType.CONFIG, AGENT, 9, now, new Command("checks-3",
        (com.fasterxml.jackson.databind.node.ObjectNode) Wire.MAPPER.readTree("{\"revision\":3,\"checks\":[]}")));
    byte[] bytes = Wire.standard().encode(config);

    assertEquals("unsigned", trust.check(config, Map.of(), bytes, now));
    assertTrue(trust.check(config, signed(Keys.generate(Keys.ED25519), now + 1_000, bytes), bytes, now).startsWith("bad signature"));
    Map<String, Object> valid = signed(hubSigning, now + 1_000, bytes);
    Map<String, Object> later = Map.of(CommandSignature.HEADER, valid.get(CommandSignature.HEADER), CommandSignature.NOT_AFTER, now + 99_000);
    assertTrue(trust.check(config, later, bytes, now).startsWith("bad signature"), "the expiry is signed too");
    assertTrue(trust.check(config, signed(hubSigning, now - 1, bytes), bytes, now).startsWith("expired"));
    byte[] tampered = new String(bytes).replace("\"revision\":3", "\"revision\":999999").getBytes();
    assertTrue(trust.check(config, valid, tampered, now).startsWith("bad signature"));
    assertNull(trust.check(config, valid, bytes, now));
    assertTrue(trust.check(config, valid, bytes, now).startsWith("replayed"));
    Envelope elsewhere = Envelope.of(EventType.CONFIG, "agent-8", 9, now, config.body());
    byte[] elsewhereBytes = Wire.standard().encode(elsewhere);
    assertTrue(trust.check(elsewhere, signed(hubSigning, now + 1_000, elsewhereBytes), elsewhereBytes, now).startsWith("command for agent agent-8"));
  }
}
