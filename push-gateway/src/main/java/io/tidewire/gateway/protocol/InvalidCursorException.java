package io.tidewire.gateway.protocol;

import io.tidewire.gateway.GatewayException;

/** A cursor string that is not one the gateway wrote. The message says why, for a client to read. */
public class InvalidCursorException extends GatewayException {

  private static final long serialVersionUID = 1L;

  public InvalidCursorException(final String message) {
    super(message);
  }
}
