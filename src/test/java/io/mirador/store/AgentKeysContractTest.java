package io.mirador.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.hub.enroll.AgentKeys;
import io.mirador.hub.enroll.AgentKeys.AgentKey;
import io.mirador.hub.enroll.AgentKeys.EnrollmentToken;
import io.mirador.hub.enroll.AgentKeys.HubKeys;
import io.mirador.hub.enroll.AgentKeys.PendingAgent;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What every {@link AgentKeys} promises. */
public abstract class AgentKeysContractTest extends StoreContractSupport {

  private static final long NOW = 1_764_000_000_000L;

  private AgentKeys enroll() {
    return stores.agentKeys();
  }

  @Test
  void theFirstHubKeysStayForEveryLaterCaller() {
    HubKeys first = new HubKeys("a-pub", "a-priv", "s-pub", "s-priv", NOW);
    HubKeys second = new HubKeys("b-pub", "b-priv", "t-pub", "t-priv", NOW + 1);
    assertEquals(first, await(enroll().hubKeys(first)));
    assertEquals(first, await(enroll().hubKeys(second)), "a second node gets the keys the first one stored");
  }

  @Test
  void anEnrolledKeyIsFoundReplacedAndRevoked() {
    assertEquals(Optional.empty(), await(enroll().key(AGENT)));
    AgentKey key = new AgentKey(AGENT, "pub-1", "SHA256:one", "web-1", NOW, "token abc");
    await(enroll().putKey(key));
    assertEquals(Optional.of(key), await(enroll().key(AGENT)));
    AgentKey rekeyed = new AgentKey(AGENT, "pub-2", "SHA256:two", "web-1", NOW + 5, "accepted by admin");
    await(enroll().putKey(rekeyed));
    assertEquals(Optional.of(rekeyed), await(enroll().key(AGENT)));
    assertTrue(await(enroll().removeKey(AGENT)));
    assertFalse(await(enroll().removeKey(AGENT)));
    assertEquals(Optional.empty(), await(enroll().key(AGENT)));
  }

  @Test
  void aPendingRequestIsListedTakenOnceAndForgottenWhenTheAgentEnrolls() {
    PendingAgent one = new PendingAgent("agent-a", "pub-a", "SHA256:a", "a", NOW, null);
    PendingAgent two = new PendingAgent("agent-b", "pub-b", "SHA256:b", "b", NOW + 1, "token expired");
    assertTrue(await(enroll().addPending(two)));
    assertTrue(await(enroll().addPending(one)));
    assertEquals(List.of(one, two), await(enroll().pending()), "oldest first");
    assertEquals(Optional.of(one), await(enroll().takePending("agent-a")));
    assertEquals(Optional.empty(), await(enroll().takePending("agent-a")));
    await(enroll().putKey(new AgentKey("agent-b", "pub-b", "SHA256:b", "b", NOW + 2, "token t")));
    assertEquals(List.of(), await(enroll().pending()));
  }

  @Test
  void aTokenIsSpentUseByUseAndNotPastItsExpiry() {
    EnrollmentToken twice = new EnrollmentToken("tok-2", "key-2", "two hosts", NOW + 60_000, 2, NOW, "admin");
    EnrollmentToken forever = new EnrollmentToken("tok-r", "key-r", "bootstrap", 0, -1, NOW + 1, "admin");
    await(enroll().addToken(twice));
    await(enroll().addToken(forever));
    assertEquals(List.of(twice, forever), await(enroll().tokens()));

    assertEquals(2, await(enroll().useToken("tok-2", NOW)).orElseThrow().usesLeft());
    assertEquals(1, await(enroll().useToken("tok-2", NOW)).orElseThrow().usesLeft());
    assertEquals(Optional.empty(), await(enroll().useToken("tok-2", NOW)), "no use left");
    assertEquals(0, await(enroll().tokens()).get(0).usesLeft());

    for (int i = 0; i < 5; i++) {
      assertEquals("key-r", await(enroll().useToken("tok-r", NOW + 10 * 365L * 86_400_000)).orElseThrow().key());
    }
    assertEquals(-1, await(enroll().tokens()).get(1).usesLeft());

    EnrollmentToken expiring = new EnrollmentToken("tok-e", "key-e", null, NOW + 1_000, 5, NOW + 2, "admin");
    await(enroll().addToken(expiring));
    assertTrue(await(enroll().useToken("tok-e", NOW + 999)).isPresent());
    assertEquals(Optional.empty(), await(enroll().useToken("tok-e", NOW + 1_000)), "expired");
    assertEquals(Optional.empty(), await(enroll().useToken("nope", NOW)));

    assertTrue(await(enroll().removeToken("tok-e")));
    assertFalse(await(enroll().removeToken("tok-e")));
    assertEquals(List.of("tok-2", "tok-r"), await(enroll().tokens()).stream().map(EnrollmentToken::id).toList());
  }
}
