package io.mirador.hub.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.mirador.Addresses;
import io.mirador.store.AgentStatus;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hub events cross nodes as JSON and come back equal; inside a node they travel by reference. */
class HubEventCodecTest {

  private static final List<HubEvent> EVENTS = List.of(
      new AgentRegistered("agent-1", "web-1"),
      new AgentHeartbeat("agent-1", 7),
      new AgentHeartbeat("agent-2", -1),
      new AgentStatusChanged("agent-1", "web-1", AgentStatus.UP, AgentStatus.STALE, 1_700_000_000_123L),
      new CheckStateChanged("agent-1", "disk_root", null, 2, "DISK CRITICAL – 3% free «/»", false, 0.0, 1_700_000_000_000L),
      new CheckStateChanged("agent-1", "load", 0, 1, "", true, 57.5, 1L),
      new ChecksChanged("disk_root", 12));

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void everyEventSurvivesTheWireAndIsPassedByReferenceLocally() {
    for (HubEvent event : EVENTS) {
      HubEvent.Codec codec = new HubEvent.Codec(event.getClass());
      Buffer buffer = Buffer.buffer("prefix");
      codec.encodeToWire(buffer, event);
      assertEquals(event, codec.decodeFromWire("prefix".length(), buffer), event.getClass().getSimpleName());
      assertSame(event, codec.transform(event));
    }
  }

  @Test
  void eachTypeHasItsOwnAddressUnderTheHubPrefix() {
    for (HubEvent event : EVENTS) {
      String address = HubEvent.ADDRESSES.get(event.getClass());
      assertEquals(true, address.startsWith("mirador.hub."), address);
      assertEquals(false, address.startsWith(Addresses.LIVE_PREFIX), "never bridged to browsers");
    }
    assertEquals(HubEvent.class.getPermittedSubclasses().length, HubEvent.ADDRESSES.size(), "every hub event has an address");
    assertEquals(HubEvent.ADDRESSES.size(), HubEvent.ADDRESSES.values().stream().distinct().count(), "each its own");
  }
}
