package io.tidewire.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The {@code exp} (and {@code iat}, if present) of a JWT, read from its payload WITHOUT checking
 * the signature: the client only uses them to know when to ask for a fresh token; the gateway is
 * the one that verifies. A token that is not a readable JWT with a numeric {@code exp} has no
 * lifetime: the client then never refreshes it in-band, and relies on reconnecting with a fresh
 * token after the gateway closes with 4001.
 *
 * <p>Immutable and thread-safe.
 *
 * @param expiresAt the {@code exp} claim
 * @param issuedAt the {@code iat} claim, if present and not after {@code exp}
 */
record TokenLifetime(Instant expiresAt, Optional<Instant> issuedAt) {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** 9999-12-31T23:59:59Z: anything later is not a real expiry. */
  private static final long LATEST_EPOCH_SECOND = 253_402_300_799L;

  /** Reads {@code exp}/{@code iat} from a compact JWT; empty for anything else. */
  static Optional<TokenLifetime> decode(final String token) {
    final String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      final JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
      if (claims == null || !claims.isObject()) {
        return Optional.empty();
      }
      final Optional<Instant> exp = epochSeconds(claims.get("exp"));
      if (exp.isEmpty()) {
        return Optional.empty();
      }
      final Optional<Instant> iat = epochSeconds(claims.get("iat")).filter(i -> !i.isAfter(exp.get()));
      return Optional.of(new TokenLifetime(exp.get(), iat));
    } catch (IllegalArgumentException | IOException e) {
      return Optional.empty();
    }
  }

  /**
   * When to refresh: after {@code fraction} of the token's lifetime, measured from {@code iat}, or
   * from {@code obtainedAt} (when the client got the token) if there is no {@code iat}.
   *
   * @param obtainedAt when the token supplier returned the token
   * @param fraction of the lifetime to let pass, in (0, 1]
   */
  Instant refreshAt(final Instant obtainedAt, final double fraction) {
    final Instant start = issuedAt.orElse(obtainedAt);
    if (!start.isBefore(expiresAt)) {
      return expiresAt;
    }
    final Duration lifetime = Duration.between(start, expiresAt);
    return start.plusNanos((long) (lifetime.toNanos() * fraction));
  }

  private static Optional<Instant> epochSeconds(final JsonNode node) {
    if (node == null || !node.isNumber()) {
      return Optional.empty();
    }
    final double seconds = node.asDouble();
    if (!Double.isFinite(seconds) || seconds < 0 || seconds > LATEST_EPOCH_SECOND) {
      return Optional.empty();
    }
    return Optional.of(Instant.ofEpochMilli((long) (seconds * 1000)));
  }
}
