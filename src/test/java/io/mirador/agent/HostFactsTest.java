package io.mirador.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;

class HostFactsTest {

  @Test
  void ipv6AddressesAreWrittenShort() throws Exception {
    assertEquals("fd00::2", HostFacts.compress(v6("fd00:0:0:0:0:0:0:2")));
    assertEquals("2001:db8::1:0:0:1", HostFacts.compress(v6("2001:db8:0:0:1:0:0:1")));
    assertEquals("2001:db8:0:1:1:1:1:1", HostFacts.compress(v6("2001:db8:0:1:1:1:1:1")), "a lone zero group stays");
    assertEquals("::1", HostFacts.compress(v6("0:0:0:0:0:0:0:1")));
    assertEquals("fe80::", HostFacts.compress(v6("fe80:0:0:0:0:0:0:0")));
  }

  @Test
  void osDescriptionNamesTheFamilyOnce() {
    String os = HostFacts.describe(new SystemInfo().getOperatingSystem());
    assertFalse(os.isBlank());
    String family = new SystemInfo().getOperatingSystem().getFamily();
    assertEquals(os.indexOf(family), os.lastIndexOf(family), os);
  }

  private static Inet6Address v6(String text) throws Exception {
    return (Inet6Address) InetAddress.getByName(text);
  }
}
