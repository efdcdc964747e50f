package io.mirador.agent;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import oshi.SystemInfo;
import oshi.software.os.OperatingSystem;

/** What an agent says about its host in register and heartbeat. Blocking: call from a worker. */
public record HostFacts(String hostname, List<String> ips, String os) {

  public static HostFacts probe(SystemInfo systemInfo, String configuredHostname) {
    OperatingSystem os = systemInfo.getOperatingSystem();
    String hostname = configuredHostname == null || configuredHostname.isBlank() ? localHostname(os) : configuredHostname;
    return new HostFacts(hostname, addresses(), os.toString());
  }

  private static String localHostname(OperatingSystem os) {
    String name = os.getNetworkParams().getHostName();
    if (name != null && !name.isBlank()) {
      return name;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** Every address of every interface that is up, except loopback and link-local ones. */
  static List<String> addresses() {
    List<String> ips = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(nif.getInetAddresses())) {
          if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isAnyLocalAddress()) {
            continue;
          }
          String text = address.getHostAddress();
          if (address instanceof Inet6Address) {
            int scope = text.indexOf('%');
            text = scope < 0 ? text : text.substring(0, scope);
          }
          ips.add(text);
        }
      }
    } catch (SocketException e) {
      return List.of();
    }
    Collections.sort(ips);
    return List.copyOf(ips);
  }
}
