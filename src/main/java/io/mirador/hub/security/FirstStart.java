package io.mirador.hub.security;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first start of a hub with authentication on and no admin in its store: it makes an admin API token, as
 * RabbitMQ and Grafana make their first admin. The token is the operator's {@code MIRADOR_ADMIN_TOKEN} when set (so
 * automation can provision it); otherwise a random one, written to a file only its owner can read (0600) whose path,
 * never the token, is logged. Exactly one node of a cluster does this, even when several start at once
 * ({@link SecurityStore#claimFirstStart}).
 */
public final class FirstStart {

  private static final Logger LOG = LoggerFactory.getLogger(FirstStart.class);

  private FirstStart() {
  }

  /** What a start did: made a token (and where it went), or nothing. */
  public enum Outcome { GENERATED, FROM_ENVIRONMENT, ADMIN_EXISTS, DONE_BEFORE }

  public static Future<Outcome> run(Vertx vertx, SecurityStore store, AuthSettings settings, String nodeId) {
    return hasAdmin(store).compose(hasAdmin -> {
      if (hasAdmin) {
        return Future.succeededFuture(Outcome.ADMIN_EXISTS);
      }
      boolean given = settings.adminToken() != null;
      String secret = given ? settings.adminToken() : Credentials.newToken();
      ApiToken token = ApiToken.issue(secret, "first-start admin", Role.ADMIN, "first-start", System.currentTimeMillis());
      // the file first: a start that cannot write it fails before it claims the store's one first start
      Future<Void> written = given ? Future.succeededFuture() : vertx.executeBlocking(() -> {
        writeOwnerOnly(settings.adminTokenFile(), secret);
        return null;
      }, false);
      return written.compose(v -> store.claimFirstStart(nodeId)).compose(claimed -> {
        if (!claimed) {
          LOG.warn("the store has no admin user or token, and its first start is done: make one with"
              + " `mirador token create --role admin` against the same store");
          return (given ? Future.<Void>succeededFuture() : vertx.executeBlocking(() -> {
            Files.deleteIfExists(settings.adminTokenFile());
            return null;
          }, false)).map(Outcome.DONE_BEFORE);
        }
        return store.putToken(token).map(v -> {
          if (given) {
            LOG.info("first start: MIRADOR_ADMIN_TOKEN is the admin API token ({})", token.id());
            return Outcome.FROM_ENVIRONMENT;
          }
          LOG.info("first start: an admin API token ({}) was written to {}, readable by its owner only;"
              + " send it as Authorization: Bearer <token>, then make users with `mirador user add`", token.id(),
              settings.adminTokenFile().toAbsolutePath());
          return Outcome.GENERATED;
        });
      });
    });
  }

  /** Whether any user or token is an admin. */
  public static Future<Boolean> hasAdmin(SecurityStore store) {
    return store.users().compose(users -> users.stream().anyMatch(u -> u.role() == Role.ADMIN) ? Future.succeededFuture(true)
        : store.tokens().map(tokens -> tokens.stream().anyMatch(t -> t.role() == Role.ADMIN)));
  }

  /** Writes {@code text} to {@code file}, which no one but its owner may read, from its creation on. */
  static void writeOwnerOnly(Path file, String text) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.deleteIfExists(file);
      Set<java.nio.file.attribute.PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(file);
      }
      Files.writeString(file, text + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the first-start admin token to " + file.toAbsolutePath()
          + " (auth.adminTokenFile): " + e.getMessage(), e);
    }
  }
}
