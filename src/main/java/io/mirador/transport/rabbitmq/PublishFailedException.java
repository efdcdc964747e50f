package io.mirador.transport.rabbitmq;

/** A publish the broker did not confirm: the connection went, the broker refused it, it was unroutable or the confirm came too late. */
public final class PublishFailedException extends RuntimeException {

  public PublishFailedException(String message) {
    super(message, null, false, false);
  }
}
