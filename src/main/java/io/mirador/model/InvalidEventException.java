package io.mirador.model;

/** An event that must be rejected; the message is the reason, fit for a log line and a dead-letter header. */
public final class InvalidEventException extends RuntimeException {

  private final String code;

  public InvalidEventException(String code, String reason) {
    super(reason, null, false, false);
    this.code = code;
  }

  /** A short, stable reason code for counters: {@code malformed}, {@code version}, {@code type}, {@code oversize}, {@code invalid}; the hub channel adds {@code direction} (a hub → agent type sent to the hub). */
  public String code() { return code; }

  static void require(boolean condition, String reason) {
    if (!condition) {
      throw new InvalidEventException("invalid", reason);
    }
  }
}
