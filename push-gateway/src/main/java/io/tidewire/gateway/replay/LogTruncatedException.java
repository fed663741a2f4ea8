package io.tidewire.gateway.replay;

import io.tidewire.gateway.GatewayException;

/** Retention deleted records at a position a replay asked for: the gap cannot be filled. */
public final class LogTruncatedException extends GatewayException {

  private static final long serialVersionUID = 1L;

  public LogTruncatedException(final String message, final Throwable cause) {
    super(message, cause);
  }
}
