package io.mirador.store;

/**
 * What a store backend's failure says about trying the same call again, without the caller knowing the backend: a
 * refusal is about this call (it will fail the same way), anything else is the store being away or slow.
 */
public interface StoreFailure {

  /** True when the store refused this call for what it carries; false when it was unreachable, busy or too slow. */
  boolean refusal();
}
