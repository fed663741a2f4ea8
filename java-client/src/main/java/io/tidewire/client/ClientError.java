package io.tidewire.client;

import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Something that went wrong, as reported to the error listener. Most are handled by the client
 * itself (it reconnects, renews the token, retries the refresh); the report is for logs, metrics
 * and tests. Whether the client gave up shows in the state listener ({@link ConnectionState#CLOSED}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param kind what happened
 * @param message a human-readable description
 * @param errorCode for {@link Kind#SERVER_ERROR}: the frame's code; empty for a code this client
 *     does not know (a newer gateway; the message starts with the code as sent)
 * @param closeCode for {@link Kind#DISCONNECTED}: the close code (1006 when the connection dropped
 *     without a close frame, or the client gave up on a silent one)
 * @param httpStatus for {@link Kind#CONNECT_FAILED}: the status the upgrade was refused with
 * @param ref for {@link Kind#SERVER_ERROR}: the ref of the request it answers, if any
 * @param cause the exception behind it, if any
 */
public record ClientError(Kind kind, String message, Optional<ErrorCode> errorCode,
    OptionalInt closeCode, OptionalInt httpStatus, Optional<String> ref, Optional<Throwable> cause) {

  /** What happened. */
  public enum Kind {
    /** The gateway sent an {@code error} frame. */
    SERVER_ERROR,
    /** The connection ended (closed by the gateway, dropped, or silent for too long). */
    DISCONNECTED,
    /** A connection could not be opened (network, refused upgrade, timeout). */
    CONNECT_FAILED,
    /** The token supplier failed, returned nothing, or timed out. */
    TOKEN_FAILED,
    /** One of the application's listeners threw. */
    LISTENER_FAILED,
    /** The gateway sent a frame the client cannot read. */
    BAD_FRAME
  }

  /** Checks that nothing is null. */
  public ClientError {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(errorCode, "errorCode");
    Objects.requireNonNull(closeCode, "closeCode");
    Objects.requireNonNull(httpStatus, "httpStatus");
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(cause, "cause");
  }

  static ClientError serverError(final Optional<ErrorCode> code, final String message,
      final Optional<String> ref) {
    return new ClientError(Kind.SERVER_ERROR, message, code, OptionalInt.empty(),
        OptionalInt.empty(), ref, Optional.empty());
  }

  static ClientError disconnected(final int closeCode, final String message, final Optional<Throwable> cause) {
    return new ClientError(Kind.DISCONNECTED, message, Optional.empty(), OptionalInt.of(closeCode),
        OptionalInt.empty(), Optional.empty(), cause);
  }

  static ClientError connectFailed(final String message, final OptionalInt httpStatus, final Throwable cause) {
    return new ClientError(Kind.CONNECT_FAILED, message, Optional.empty(), OptionalInt.empty(),
        httpStatus, Optional.empty(), Optional.of(cause));
  }

  static ClientError of(final Kind kind, final String message, final Optional<Throwable> cause) {
    return new ClientError(kind, message, Optional.empty(), OptionalInt.empty(), OptionalInt.empty(),
        Optional.empty(), cause);
  }
}
