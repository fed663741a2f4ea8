package io.tidewire.client.testing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;

/** Unsigned JWT-shaped tokens: the client reads their claims without verifying. */
public final class Jwts {

  private Jwts() {}

  /** A token with {@code sub}, {@code iat} and {@code exp} (NumericDates with milliseconds). */
  public static String token(final String sub, final Instant issuedAt, final Instant expiresAt) {
    return withPayload("{\"sub\":\"" + sub + "\",\"iat\":" + numericDate(issuedAt) + ",\"exp\":"
        + numericDate(expiresAt) + "}");
  }

  /** A token with the given raw JSON payload. */
  public static String withPayload(final String json) {
    return encode("{\"alg\":\"HS256\"}") + "." + encode(json) + ".c2ln";
  }

  private static String numericDate(final Instant instant) {
    return String.format(Locale.ROOT, "%d.%03d", instant.getEpochSecond(), instant.getNano() / 1_000_000);
  }

  private static String encode(final String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
