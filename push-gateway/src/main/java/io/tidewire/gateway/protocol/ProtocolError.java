package io.tidewire.gateway.protocol;

import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@code error} frame to send: the {@code ref} of the request it answers (when the request was
 * readable enough to have one), a code and a human-readable message.
 *
 * @param ref the request's ref, if known
 * @param code the error code
 * @param message what went wrong, for people (clients act on {@code code})
 */
public record ProtocolError(Optional<String> ref, ErrorCode code, String message) implements Reply {

  public ProtocolError {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }

  /** A {@code bad_request} error. */
  public static ProtocolError badRequest(final Optional<String> ref, final String message) {
    return new ProtocolError(ref, ErrorCode.BAD_REQUEST, message);
  }
}
