package io.mirador.hub.enroll;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import io.mirador.model.Wire;
import io.mirador.store.memory.MemoryAgentKeys;
import io.mirador.transport.HubTransport;
import io.mirador.trust.EnvelopeMac;
import io.mirador.trust.Keys;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The hub's cost of authenticating one envelope (routing key, HMAC-SHA256 of its bytes with the agent's cached key)
 * next to the cost of decoding it, for metrics events of 10, 100 and 1000 samples: on a loaded machine the end-to-end
 * ingest bench varies more than the difference, so this measures the added work alone, in a loop.
 * Not a test: {@code mvn -q test -Dtest=AgentAuthenticatorBench -Dmirador.bench=true} (-Dbench.seconds=3 per figure).
 */
class AgentAuthenticatorBench {

  private static final long SECONDS = Long.getLong("bench.seconds", 3);
  private static volatile Object sink;

  @Test
  void authenticationCostPerEnvelope() throws Exception {
    assumeTrue(Boolean.getBoolean("mirador.bench"), "a benchmark; run with -Dmirador.bench=true");
    AgentKeys store = new MemoryAgentKeys();
    HubTrust hub = HubTrust.load(store).toCompletionStage().toCompletableFuture().get();
    KeyPair agent = Keys.generate(Keys.X25519);
    store.putKey(new AgentKeys.AgentKey("bench-agent", Keys.text(agent.getPublic()), "-", "h", 0, "bench"));
    AgentAuthenticator authenticator = new AgentAuthenticator(store, () -> io.vertx.core.Future.succeededFuture(hub), System::currentTimeMillis);
    javax.crypto.Mac agentMac = Keys.hmac(EnvelopeMac.key(agent.getPrivate(), Keys.publicKey(Keys.X25519, hub.agreementKey()), "bench-agent"));
    Wire wire = Wire.standard();
    System.out.println("| samples per event | bytes | decode ns | authenticate ns | authenticate / decode |");
    System.out.println("|---|---|---|---|---|");
    for (int samples : new int[] {10, 100, 1000}) {
      List<Sample> batch = new ArrayList<>();
      long now = System.currentTimeMillis();
      for (int i = 0; i < samples; i++) {
        batch.add(Sample.of("bench.m" + i, Map.of(), i % 1000, now));
      }
      Envelope event = Envelope.of(EventType.METRICS, "bench-agent", 42, now, new MetricsBatch(batch));
      byte[] bytes = wire.encode(event);
      String mac = Keys.b64(EnvelopeMac.of(agentMac, bytes));
      HubTransport.Delivery delivery = new HubTransport.Delivery() {
        @Override public byte[] body() { return bytes; }
        @Override public String routingKey() { return "metrics.bench-agent"; }
        @Override public Object header(String name) { return EnvelopeMac.HEADER.equals(name) ? mac : null; }
        @Override public void ack() { }
        @Override public void reject(String reason) { }
        @Override public void requeue(String reason) { }
      };
      if (authenticator.check(event, delivery).result() != null) {
        throw new AssertionError("the bench envelope must authenticate");
      }
      double decodeNs = measure(() -> wire.decode(bytes));
      double authNs = measure(() -> authenticator.check(event, delivery).result());
      System.out.printf("| %d | %,d | %,.0f | %,.0f | %.1f %% |%n", samples, bytes.length, decodeNs, authNs, 100 * authNs / decodeNs);
    }
  }

  private static double measure(Supplier<Object> work) {
    long end = System.nanoTime() + 1_000_000_000L; // warm-up
    while (System.nanoTime() < end) {
      sink = work.get();
    }
    long count = 0;
    long start = System.nanoTime();
    end = start + SECONDS * 1_000_000_000L;
    long now;
    do {
      for (int i = 0; i < 100; i++) {
        sink = work.get();
      }
      count += 100;
      now = System.nanoTime();
    } while (now < end);
    return (now - start) / (double) count;
  }
}
