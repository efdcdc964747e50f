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
    return new HostFacts(hostname, addresses(), describe(os));
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

  /** "Debian GNU/Linux 12 (bookworm), kernel 6.1.0-18-amd64": family, version and kernel build, each once. */
  static String describe(OperatingSystem os) {
    OperatingSystem.OSVersionInfo version = os.getVersionInfo();
    StringBuilder text = new StringBuilder(os.getFamily());
    if (version.getVersion() != null && !version.getVersion().isBlank()) {
      text.append(' ').append(version.getVersion());
    }
    if (version.getCodeName() != null && !version.getCodeName().isBlank()) {
      text.append(" (").append(version.getCodeName()).append(')');
    }
    if (version.getBuildNumber() != null && !version.getBuildNumber().isBlank()) {
      text.append(", kernel ").append(version.getBuildNumber());
    }
    return text.toString();
  }

  /** The usual short text form of an IPv6 address: the longest run of zero groups as "::", no leading zeros. */
  static String compress(Inet6Address address) {
    byte[] bytes = address.getAddress();
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1; // a single zero group is not shortened
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int start = i;
      while (i < 8 && groups[i] == 0) {
        i++;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(groups[i]));
    }
    return text.toString();
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
          ips.add(address instanceof Inet6Address v6 ? compress(v6) : address.getHostAddress());
        }
      }
    } catch (SocketException e) {
      return List.of();
    }
    Collections.sort(ips);
    return List.copyOf(ips);
  }
}
