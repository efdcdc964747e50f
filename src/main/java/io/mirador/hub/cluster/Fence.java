package io.mirador.hub.cluster;

/**
 * What a write made on behalf of a lease owner carries: the store refuses the write unless the lease is still
 * unexpired with this very token ({@link LeaseStore#holds}). A paused old owner, woken up after its lease lapsed
 * and was taken, still carries its old token, which no longer matches.
 */
public record Fence(String lease, long token) {

  public Fence {
    Lease.requireName(lease);
    Lease.requireToken(token);
  }
}
