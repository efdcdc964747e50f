package io.mirador.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.hub.cluster.HubNode;
import io.mirador.hub.cluster.NodeStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every {@link NodeStore} promises. */
public abstract class NodeStoreContractTest extends StoreContractSupport {

  private static HubNode node(String id, long upSince) {
    return new HubNode(id, "127.0.0.1", 8080, List.of("engine", "web"), upSince, 0);
  }

  @Test
  void aBeatingNodeIsListedWithItsFieldsAndTheStoresClock() {
    NodeStore nodes = stores.nodes();
    long before = System.currentTimeMillis();
    await(nodes.beat(node("node-b", 2_000)));
    await(nodes.beat(node("node-a", 1_000)));

    NodeStore.Nodes seen = await(nodes.nodes());
    assertEquals(List.of("node-a", "node-b"), seen.nodes().stream().map(HubNode::id).toList(), "oldest first");
    HubNode a = seen.nodes().get(0);
    assertEquals(List.of("engine", "web"), a.roles());
    assertEquals(8080, a.httpPort());
    assertEquals(1_000, a.upSince());
    // the store's clock, which on this machine is the test's clock give or take a little
    assertTrue(a.lastSeen() >= before - 1_000 && a.lastSeen() <= seen.now(), a + " at " + seen.now());
  }

  @Test
  void aNewBeatMovesLastSeenAndReplacesTheFields() {
    NodeStore nodes = stores.nodes();
    await(nodes.beat(node("node-a", 1_000)));
    long first = await(nodes.nodes()).nodes().get(0).lastSeen();
    HubNode withPort = new HubNode("node-a", "127.0.0.1", 9090, List.of("web"), 1_000, 0);
    await(nodes.beat(withPort));

    HubNode seen = await(nodes.nodes()).nodes().get(0);
    assertEquals(9090, seen.httpPort());
    assertEquals(List.of("web"), seen.roles());
    assertTrue(seen.lastSeen() >= first);
    assertEquals(1, await(nodes.nodes()).nodes().size());
  }

  @Test
  void aRemovedNodeIsNoLongerListed() {
    NodeStore nodes = stores.nodes();
    await(nodes.beat(node("node-a", 1_000)));
    await(nodes.beat(node("node-b", 2_000)));
    await(nodes.remove("node-a"));
    assertEquals(List.of("node-b"), await(nodes.nodes()).nodes().stream().map(HubNode::id).toList());
    await(nodes.remove("unknown"));
  }
}
