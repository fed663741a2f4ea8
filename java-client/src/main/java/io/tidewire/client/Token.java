package io.tidewire.client;

import java.time.Instant;
import java.util.Optional;

/**
 * A token from the application's supplier, with its lifetime if it is a readable JWT.
 *
 * @param value the token as sent to the gateway
 * @param lifetime {@code exp}/{@code iat}, if readable
 * @param obtainedAt when the supplier returned it
 */
record Token(String value, Optional<TokenLifetime> lifetime, Instant obtainedAt) {

  static Token of(final String value, final Instant obtainedAt) {
    return new Token(value, TokenLifetime.decode(value), obtainedAt);
  }

  @Override
  public String toString() {
    return "Token[exp=" + lifetime.map(l -> l.expiresAt().toString()).orElse("?") + "]";
  }
}
