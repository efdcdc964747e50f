package io.mirador.transport;

import io.vertx.core.Future;
import java.util.Map;

/** Signs a hub → agent command: the message headers that carry its signature and expiry, for these envelope bytes. */
public interface CommandSigner {

  Future<Map<String, Object>> sign(byte[] envelope);
}
