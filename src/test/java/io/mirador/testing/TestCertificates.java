package io.mirador.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private CA and certificates it signed, made with the JDK's keytool once per test JVM (two-day EC keys, about
 * twenty keytool runs) in a temporary directory deleted at exit. Every store is PKCS12 unless named otherwise, all
 * with the password {@link #PASSWORD}.
 *
 * @param caPem      the CA certificate, PEM
 * @param trustP12   the CA certificate in a PKCS12 trust store
 * @param trustJks   the CA certificate in a JKS trust store
 * @param server     key and certificate of a server at 127.0.0.1 and localhost (IP and DNS subject alternative names), signed by the CA
 * @param wrongHost  key and certificate of a server named broker.invalid only, signed by the CA
 * @param selfSigned key and self-signed certificate for 127.0.0.1 and localhost: signed by nobody anyone trusts
 * @param selfSignedPem that self-signed certificate alone, PEM: a trust store that trusts just that server
 * @param client     key and certificate of a client (extended key usage clientAuth), signed by the CA
 */
public record TestCertificates(Path caPem, Path trustP12, Path trustJks, Path server, Path wrongHost, Path selfSigned,
                               Path selfSignedPem, Path client) {

  public static final String PASSWORD = "test-secret";

  private static TestCertificates made;

  /** The certificates of this JVM, made on first use. Blocking. */
  public static synchronized TestCertificates get() {
    if (made == null) {
      try {
        Path dir = Files.createTempDirectory("mirador-tls-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        made = make(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return made;
  }

  private static TestCertificates make(Path dir) {
    Path ca = dir.resolve("ca.p12");
    Path caPem = dir.resolve("ca.pem");
    keytool("-genkeypair", "-alias", "ca", "-dname", "CN=Mirador Test CA", "-ext", "bc:c", "-ext", "KU=keyCertSign,cRLSign",
        "-keystore", ca.toString());
    keytool("-exportcert", "-alias", "ca", "-rfc", "-file", caPem.toString(), "-keystore", ca.toString());
    Path trustP12 = dir.resolve("trust.p12");
    keytool("-importcert", "-alias", "ca", "-file", caPem.toString(), "-keystore", trustP12.toString());
    Path trustJks = dir.resolve("trust.jks");
    keytool("-importcert", "-alias", "ca", "-file", caPem.toString(), "-keystore", trustJks.toString(), "-storetype", "JKS");

    Path server = signed(dir, ca, caPem, "server", "CN=127.0.0.1", "SAN=ip:127.0.0.1,dns:localhost", "EKU=serverAuth");
    Path wrongHost = signed(dir, ca, caPem, "wrong-host", "CN=broker.invalid", "SAN=dns:broker.invalid", "EKU=serverAuth");
    Path client = signed(dir, ca, caPem, "client", "CN=mirador-test-client", "EKU=clientAuth", "KU=digitalSignature");
    Path selfSigned = dir.resolve("self-signed.p12");
    keytool("-genkeypair", "-alias", "self-signed", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-keystore", selfSigned.toString());
    Path selfSignedPem = dir.resolve("self-signed.pem");
    keytool("-exportcert", "-alias", "self-signed", "-rfc", "-file", selfSignedPem.toString(), "-keystore", selfSigned.toString());
    return new TestCertificates(caPem, trustP12, trustJks, server, wrongHost, selfSigned, selfSignedPem, client);
  }

  /** A key store holding a new key and its certificate signed by the CA (with the chain up to the CA). */
  private static Path signed(Path dir, Path ca, Path caPem, String name, String dname, String... extensions) {
    Path store = dir.resolve(name + ".p12");
    Path request = dir.resolve(name + ".csr");
    Path certificate = dir.resolve(name + ".crt");
    keytool("-genkeypair", "-alias", name, "-dname", dname, "-keystore", store.toString());
    keytool("-certreq", "-alias", name, "-file", request.toString(), "-keystore", store.toString());
    List<String> gencert = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-rfc",
        "-infile", request.toString(), "-outfile", certificate.toString()));
    for (String extension : extensions) {
      gencert.add("-ext");
      gencert.add(extension);
    }
    keytool(gencert.toArray(String[]::new));
    keytool("-importcert", "-alias", "ca", "-file", caPem.toString(), "-keystore", store.toString());
    keytool("-importcert", "-alias", name, "-file", certificate.toString(), "-keystore", store.toString());
    return store;
  }

  private static void keytool(String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-J-XX:TieredStopAtLevel=1"));
    command.addAll(List.of(args));
    if (args[0].equals("-genkeypair")) {
      command.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2"));
    } else if (args[0].equals("-gencert")) {
      command.addAll(List.of("-validity", "2"));
    }
    command.addAll(List.of("-storepass", PASSWORD, "-noprompt"));
    if (!List.of(args).contains("-storetype")) {
      command.addAll(List.of("-storetype", "PKCS12"));
    }
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is no test failure
    }
  }
}
