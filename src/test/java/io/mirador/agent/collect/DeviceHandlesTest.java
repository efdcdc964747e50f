package io.mirador.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeviceHandlesTest {

  private final List<String> present = new ArrayList<>(List.of("eth1", "eth0"));
  private final AtomicInteger discoveries = new AtomicInteger();
  private final List<String> refreshedNames = new ArrayList<>();

  private DeviceHandles<String> handles(int max) {
    return new DeviceHandles<>("test devices",
        () -> {
          discoveries.incrementAndGet();
          return List.copyOf(present);
        },
        name -> {
          refreshedNames.add(name);
          return present.contains(name);
        },
        name -> name, max);
  }

  @Test
  void discoversOnceThenOnlyRefreshes() {
    DeviceHandles<String> handles = handles(10);
    assertEquals(List.of("eth0", "eth1"), handles.refreshed(0));
    assertEquals(List.of(), refreshedNames, "fresh from discovery, no refresh needed");
    assertEquals(List.of("eth0", "eth1"), handles.refreshed(1_000));
    assertEquals(1, discoveries.get());
    assertEquals(List.of("eth0", "eth1"), refreshedNames);
  }

  @Test
  void rediscoversAtOnceWhenADeviceIsGone() {
    DeviceHandles<String> handles = handles(10);
    handles.refreshed(0);
    present.remove("eth1");
    assertEquals(List.of("eth0"), handles.refreshed(1_000));
    assertEquals(2, discoveries.get());
  }

  @Test
  void rediscoversAfterAMinuteToFindNewDevices() {
    DeviceHandles<String> handles = handles(10);
    handles.refreshed(0);
    present.add("wlan0");
    assertEquals(List.of("eth0", "eth1"), handles.refreshed(DeviceHandles.REDISCOVER_AFTER_NANOS - 1));
    assertEquals(List.of("eth0", "eth1", "wlan0"), handles.refreshed(DeviceHandles.REDISCOVER_AFTER_NANOS));
    assertEquals(2, discoveries.get());
  }

  @Test
  void keepsAtMostMaxDevicesFirstByName() {
    present.addAll(Set.of("veth9", "veth3", "docker0"));
    assertEquals(List.of("docker0", "eth0", "eth1"), handles(3).refreshed(0));
  }
}
