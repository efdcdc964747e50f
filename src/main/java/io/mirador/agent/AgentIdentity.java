package io.mirador.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The agent's id: generated once, kept in {@code <dataDir>/agent.id}, the same across restarts.
 * Two agents with different data directories are two agents. Blocking: call from a worker.
 */
public final class AgentIdentity {

  static final String FILE = "agent.id";

  private AgentIdentity() {
  }

  public static String loadOrCreate(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    try {
      Files.createDirectories(dataDir);
      if (Files.exists(file)) {
        String id = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (io.mirador.model.Envelope.AGENT_ID.matcher(id).matches()) {
          return id;
        }
        throw new IllegalStateException(file + " holds no valid agent id ('" + id + "'); remove it to get a new one");
      }
      String id = UUID.randomUUID().toString().replace("-", "");
      Path tmp = dataDir.resolve(FILE + ".tmp");
      Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the agent id in " + dataDir, e);
    }
  }
}
