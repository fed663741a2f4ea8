package io.tidewire.gateway.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * Who a verified token speaks for, and until when.
 *
 * @param userId the token's {@code sub}
 * @param expiresAt the token's {@code exp}
 */
public record Principal(String userId, Instant expiresAt) {

  public Principal {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
