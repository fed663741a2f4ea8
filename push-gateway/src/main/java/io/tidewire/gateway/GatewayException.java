package io.tidewire.gateway;

/**
 * The gateway's unchecked exception: invalid configuration, a failure to start, or a broken
 * invariant. Protocol problems caused by a client are never thrown; they are answered with an
 * {@code error} frame (see {@link io.tidewire.protocol.ProtocolCodes}).
 */
public class GatewayException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public GatewayException(final String message) {
    super(message);
  }

  public GatewayException(final String message, final Throwable cause) {
    super(message, cause);
  }
}
