package io.mirador.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.hub.security.ApiToken;
import io.mirador.hub.security.AuditEntry;
import io.mirador.hub.security.AuditStore;
import io.mirador.hub.security.Credentials;
import io.mirador.hub.security.Role;
import io.mirador.hub.security.SecurityStore;
import io.mirador.hub.security.User;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What every {@link SecurityStore} and {@link AuditStore} promise: users, tokens, sessions, and the capped audit log. */
public abstract class SecurityStoreContractTest extends StoreContractSupport {

  /** An audit log of this implementation on the same store, capped at {@code max} entries. */
  protected abstract AuditStore cappedAudit(int max);

  private static User user(String name, Role role, long passwordAt) {
    return new User(name, "$pbkdf2$it=1$c2FsdA$aGFzaA", role, 1_000, passwordAt);
  }

  @Test
  void usersAreCreatedReplacedListedByNameAndRemoved() {
    SecurityStore store = stores.security();
    assertFalse(await(store.putUser(user("bob", Role.VIEWER, 1))), "new");
    assertFalse(await(store.putUser(user("alice", Role.ADMIN, 1))));
    assertTrue(await(store.putUser(user("bob", Role.OPERATOR, 2))), "replaced");

    assertEquals(Optional.of(user("bob", Role.OPERATOR, 2)), await(store.user("bob")));
    assertEquals(List.of("alice", "bob"), await(store.users()).stream().map(User::name).toList());
    assertTrue(await(store.removeUser("bob")));
    assertFalse(await(store.removeUser("bob")));
    assertEquals(Optional.empty(), await(store.user("bob")));
  }

  @Test
  void aTokenIsFoundByTheHashOfItsSecretAndRevokedById() {
    SecurityStore store = stores.security();
    String secret = Credentials.newToken();
    ApiToken token = ApiToken.issue(secret, "ci", Role.OPERATOR, "alice", 5_000);
    ApiToken other = ApiToken.issue(Credentials.newToken(), "grafana", Role.VIEWER, "alice", 6_000);
    await(store.putToken(token));
    await(store.putToken(other));

    assertEquals(Optional.of(token), await(store.tokenByHash(Credentials.tokenHash(secret))));
    assertEquals(Optional.empty(), await(store.tokenByHash(Credentials.tokenHash(secret + "x"))));
    assertEquals(List.of(token.id(), other.id()), await(store.tokens()).stream().map(ApiToken::id).toList(), "oldest first");

    assertTrue(await(store.revokeToken(token.id())));
    assertFalse(await(store.revokeToken(token.id())));
    assertEquals(Optional.empty(), await(store.tokenByHash(Credentials.tokenHash(secret))));
    assertEquals(List.of(other), await(store.tokens()));
  }

  @Test
  void theFirstSessionKeyOfferedIsTheOneEveryoneGets() {
    SecurityStore store = stores.security();
    assertEquals("first", await(store.sessionKey("first")));
    assertEquals("first", await(store.sessionKey("second")));
  }

  @Test
  void anEndedSessionIsRememberedUntilItsExpiry() {
    SecurityStore store = stores.security();
    assertFalse(await(store.sessionEnded("s-1")));
    await(store.endSession("s-1", System.currentTimeMillis() + 60_000));
    await(store.endSession("s-2", System.currentTimeMillis() - 1));
    assertTrue(await(store.sessionEnded("s-1")));
    assertFalse(await(store.sessionEnded("s-2")), "past its expiry the session is refused anyway");
  }

  @Test
  void theFirstStartIsClaimedOnce() {
    SecurityStore store = stores.security();
    assertTrue(await(store.claimFirstStart("node-a")));
    assertFalse(await(store.claimFirstStart("node-b")));
    assertFalse(await(store.claimFirstStart("node-a")));
  }

  @Test
  void theAuditLogKeepsTheNewestEntriesFirst() {
    AuditStore audit = stores.audit();
    for (int i = 0; i < 5; i++) {
      assertEquals(0, await(audit.append(new AuditEntry(1_000 + i, "alice", "user", "check.put", "c" + i, "10.0.0.1"))));
    }
    List<AuditEntry> newest = await(audit.newest(3));
    assertEquals(List.of("c4", "c3", "c2"), newest.stream().map(AuditEntry::target).toList());
    assertEquals(new AuditEntry(1_004, "alice", "user", "check.put", "c4", "10.0.0.1"), newest.get(0));
    assertEquals(5, await(audit.newest(100)).size());
  }

  @Test
  void pastItsCapTheAuditLogDropsTheOldestAndSaysSo() {
    AuditStore audit = cappedAudit(3);
    int dropped = 0;
    for (int i = 0; i < 5; i++) {
      dropped += await(audit.append(new AuditEntry(1_000 + i, "alice", "user", "rule.put", "r" + i, "10.0.0.1")));
    }
    assertEquals(2, dropped);
    assertEquals(List.of("r4", "r3", "r2"), await(audit.newest(10)).stream().map(AuditEntry::target).toList());
  }
}
