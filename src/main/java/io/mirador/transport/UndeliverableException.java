package io.mirador.transport;

/**
 * A publish that no retry can make succeed (the event is larger than the transport carries): the caller drops
 * the event and counts it instead of keeping it.
 */
public final class UndeliverableException extends RuntimeException {

  public UndeliverableException(String message) {
    super(message, null, false, false);
  }
}
