package io.mirador.e2e.prod;

import static io.mirador.e2e.prod.ProdSetup.waitUntil;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.mirador.model.EnrollRequest;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.Wire;
import io.mirador.transport.rabbitmq.Topology;
import io.mirador.trust.EnrollmentProof;
import io.mirador.trust.EnvelopeMac;
import io.mirador.trust.Keys;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;

/**
 * An agent key made by a test and enrolled over the broker exactly as an agent enrolls (an {@code enroll} request with
 * the bootstrap token's proof), for tests that publish envelopes by hand: what an enrolled host, or an attacker holding
 * one enrolled host's key, can send.
 */
final class EnrolledKey {

  final String agentId;
  private final Mac mac;

  private EnrolledKey(String agentId, Mac mac) {
    this.agentId = agentId;
    this.mac = mac;
  }

  /** Enrolls a fresh key for {@code agentId} with the setup's bootstrap token; returns once the hub has it. */
  static EnrolledKey enroll(ProdSetup setup, Connection admin, String agentId) throws Exception {
    KeyPair keys = Keys.generate(Keys.X25519);
    String publicKey = Keys.text(keys.getPublic());
    byte[] tokenKey = EnrollmentProof.tokenKey(ProdSetup.ENROLL_TOKEN);
    Envelope request = Envelope.of(EventType.ENROLL, agentId, 1, System.currentTimeMillis(),
        new EnrollRequest(publicKey, agentId, EnrollmentProof.tokenId(tokenKey), Keys.b64(EnrollmentProof.request(tokenKey, agentId, publicKey))));
    publish(admin, "enroll." + agentId, Wire.standard().encode(request), null);
    waitUntil(() -> status(setup, "/api/v1/agents/" + agentId + "/key") == 200, 30_000, () -> agentId + " enrolled");
    String hubKey = new JsonObject(setup.get("/api/v1/enrollment/hub-key").body()).getString("agreementKey");
    return new EnrolledKey(agentId, Keys.hmac(EnvelopeMac.key(keys.getPrivate(), Keys.publicKey(Keys.X25519, hubKey), agentId)));
  }

  /** The MAC header value this key gives these bytes. */
  String mac(byte[] body) {
    return Keys.b64(EnvelopeMac.of(mac, body));
  }

  /** Publishes to mirador.ingest, confirmed, with the MAC header when given. */
  static void publish(Connection admin, String routingKey, byte[] body, String mac) throws Exception {
    publish(admin, Topology.INGEST_EXCHANGE, routingKey, body, mac == null ? Map.of() : Map.of(EnvelopeMac.HEADER, mac));
  }

  static void publish(Connection admin, String exchange, String routingKey, byte[] body, Map<String, Object> headers) throws Exception {
    try (Channel channel = admin.createChannel()) {
      channel.confirmSelect();
      channel.basicPublish(exchange, routingKey, new AMQP.BasicProperties.Builder().deliveryMode(2).headers(new HashMap<>(headers)).build(), body);
      channel.waitForConfirmsOrDie(10_000);
    }
  }

  static int status(ProdSetup setup, String path) {
    HttpResponse<String> response = setup.get(path);
    return response == null ? 0 : response.statusCode();
  }
}
