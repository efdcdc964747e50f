package io.mirador.hub.enroll;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * The store port of agent enrollment: the hub's own key pairs (one for the whole cluster), each enrolled agent's public
 * key, the requests waiting for an admin, and the enrollment tokens (their derived key only, never the token).
 * Pending requests are bounded ({@link #MAX_PENDING}); a full list refuses more, and the caller counts it.
 */
public interface AgentKeys {

  int MAX_PENDING = 10_000;

  /** The hub's keys: those stored, or {@code candidate} when there were none (set once, then the same for every node). */
  Future<HubKeys> hubKeys(HubKeys candidate);

  Future<Optional<AgentKey>> key(String agentId);

  /** Enrolls (or re-keys) an agent, and forgets its pending request. */
  Future<Void> putKey(AgentKey key);

  /** Revokes an agent's key; false when it had none. */
  Future<Boolean> removeKey(String agentId);

  /** Adds or replaces the agent's waiting request; false when {@link #MAX_PENDING} others wait. */
  Future<Boolean> addPending(PendingAgent request);

  Future<List<PendingAgent>> pending();

  /** Removes the agent's waiting request and returns it. */
  Future<Optional<PendingAgent>> takePending(String agentId);

  Future<Void> addToken(EnrollmentToken token);

  Future<List<EnrollmentToken>> tokens();

  /**
   * One use of the token: when it exists, has not expired at {@code now} and has a use left, that use is taken (in
   * one atomic step, so two hubs cannot both spend the last use) and the token returned as it was before.
   */
  Future<Optional<EnrollmentToken>> useToken(String id, long now);

  Future<Boolean> removeToken(String id);

  /** The hub's key pairs, as text ({@link io.mirador.trust.Keys}). */
  record HubKeys(String agreementPublic, String agreementPrivate, String signingPublic, String signingPrivate, long createdAt) {

    public JsonObject toJson() {
      return new JsonObject().put("agreementPublic", agreementPublic).put("agreementPrivate", agreementPrivate)
          .put("signingPublic", signingPublic).put("signingPrivate", signingPrivate).put("createdAt", createdAt);
    }

    public static HubKeys fromJson(JsonObject json) {
      return new HubKeys(json.getString("agreementPublic"), json.getString("agreementPrivate"), json.getString("signingPublic"),
          json.getString("signingPrivate"), json.getLong("createdAt", 0L));
    }
  }

  /** An enrolled agent: its public key, how it was enrolled ({@code token <id>} or {@code accepted by <name>}). */
  record AgentKey(String agentId, String publicKey, String fingerprint, String hostname, long enrolledAt, String via) {

    public JsonObject toJson() {
      return new JsonObject().put("agent", agentId).put("publicKey", publicKey).put("fingerprint", fingerprint)
          .put("hostname", hostname).put("enrolledAt", enrolledAt).put("via", via);
    }

    public static AgentKey fromJson(JsonObject json) {
      return new AgentKey(json.getString("agent"), json.getString("publicKey"), json.getString("fingerprint"), json.getString("hostname"),
          json.getLong("enrolledAt", 0L), json.getString("via"));
    }
  }

  /** An agent that asked to enroll without a token (or with one that did not hold), waiting for an admin. */
  record PendingAgent(String agentId, String publicKey, String fingerprint, String hostname, long requestedAt, String note) {

    public JsonObject toJson() {
      return new JsonObject().put("agent", agentId).put("publicKey", publicKey).put("fingerprint", fingerprint)
          .put("hostname", hostname).put("requestedAt", requestedAt).put("note", note);
    }

    public static PendingAgent fromJson(JsonObject json) {
      return new PendingAgent(json.getString("agent"), json.getString("publicKey"), json.getString("fingerprint"),
          json.getString("hostname"), json.getLong("requestedAt", 0L), json.getString("note"));
    }
  }

  /**
   * An enrollment token as stored: its id, the key derived from it ({@link io.mirador.trust.EnrollmentProof#tokenKey},
   * base64url), an expiry ({@code 0}: never) and the uses left ({@code -1}: unlimited).
   */
  record EnrollmentToken(String id, String key, String description, long expiresAt, long usesLeft, long createdAt, String createdBy) {

    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("key", key).put("description", description).put("expiresAt", expiresAt)
          .put("usesLeft", usesLeft).put("createdAt", createdAt).put("createdBy", createdBy);
    }

    /** What the API shows: everything but the key. */
    public JsonObject view() {
      JsonObject json = toJson();
      json.remove("key");
      return json;
    }

    public static EnrollmentToken fromJson(JsonObject json) {
      return new EnrollmentToken(json.getString("id"), json.getString("key"), json.getString("description"), json.getLong("expiresAt", 0L),
          json.getLong("usesLeft", -1L), json.getLong("createdAt", 0L), json.getString("createdBy"));
    }

    public boolean usable(long now) {
      return (expiresAt == 0 || now < expiresAt) && usesLeft != 0;
    }
  }
}
