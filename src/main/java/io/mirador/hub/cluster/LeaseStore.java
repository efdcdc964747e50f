package io.mirador.hub.cluster;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * The port for named leases with fencing tokens: the single-owner primitive of a cluster of hub nodes. The store
 * judges expiry with its own clock, so the clocks of the nodes do not matter; a node keeps a lease with
 * {@link Ownership}.
 *
 * <p>Every method is safe to call from an event loop and never blocks. Bad arguments (a name outside
 * {@link Lease#requireName its alphabet}, a blank owner, a ttl outside 1 ms .. {@link Lease#MAX_TTL_MS}, a token
 * below 1, a null fence) give a future failed with an {@link IllegalArgumentException} saying what was wrong.
 */
public interface LeaseStore {

  /**
   * Takes the lease when nobody holds it or it lapsed (a new token, one above the highest ever handed out for this
   * name; {@code since} = now), or renews it when {@code owner} already holds it (same token, same since, new
   * expiry). Empty when another owner holds an unexpired lease.
   */
  Future<Optional<Lease>> acquire(String name, String owner, long ttlMs);

  /** Extends the lease by {@code ttlMs} from now if {@code owner} still holds it with {@code token}; false when lost. */
  Future<Boolean> renew(String name, String owner, long token, long ttlMs);

  /** Gives the lease up at once if {@code owner} still holds it with {@code token}, so the next owner need not wait. */
  Future<Void> release(String name, String owner, long token);

  /** The unexpired lease of that name, if anyone holds it. */
  Future<Optional<Lease>> current(String name);

  /** Every unexpired lease, by name. */
  Future<List<Lease>> all();

  /** True iff the fence's lease is unexpired and holds exactly the fence's token. */
  Future<Boolean> holds(Fence fence);
}
