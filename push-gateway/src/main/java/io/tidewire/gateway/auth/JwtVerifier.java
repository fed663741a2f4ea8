package io.tidewire.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.tidewire.gateway.GatewayException;
import io.tidewire.gateway.auth.TokenVerdict.Reason;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * Checks HS256 JWTs: the signature against a shared secret (at least 32 bytes), a non-empty
 * {@code sub} (the user id), a present and current {@code exp}, and {@code nbf} when present. Other
 * algorithms, including {@code none}, are refused. A small clock skew is allowed on {@code exp}
 * and {@code nbf}.
 *
 * <p>Pure apart from reading the clock it is given; thread-safe.
 */
public final class JwtVerifier {

  /** Minimum HS256 secret length in bytes (RFC 7518 section 3.2). */
  public static final int MIN_SECRET_BYTES = 32;
  /** Clock skew allowed unless told otherwise. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

  private final MACVerifier verifier;
  private final Clock clock;
  private final Duration skew;

  /**
   * @param secret the HS256 secret, at least {@value #MIN_SECRET_BYTES} bytes
   * @param clock the clock to check {@code exp} and {@code nbf} against
   * @param skew how far {@code exp} may lie in the past and {@code nbf} in the future
   * @throws GatewayException if the secret is too short
   */
  public JwtVerifier(final byte[] secret, final Clock clock, final Duration skew) {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new GatewayException("the JWT secret must be at least " + MIN_SECRET_BYTES
          + " bytes for HS256, got " + secret.length);
    }
    try {
      this.verifier = new MACVerifier(secret.clone());
    } catch (JOSEException e) {
      throw new GatewayException("unusable JWT secret: " + e.getMessage(), e);
    }
    this.clock = clock;
    this.skew = skew;
  }

  /** A verifier on the system clock with {@link #DEFAULT_CLOCK_SKEW}. */
  public JwtVerifier(final byte[] secret) {
    this(secret, Clock.systemUTC(), DEFAULT_CLOCK_SKEW);
  }

  /** The clock skew allowed on {@code exp} and {@code nbf}. */
  public Duration clockSkew() {
    return skew;
  }

  /** Checks a token that may be absent. */
  public TokenVerdict verify(final Optional<String> token) {
    return token.map(this::verify).orElseGet(() -> rejected(Reason.MISSING, "no token"));
  }

  /** Checks a token. */
  public TokenVerdict verify(final String token) {
    if (token.isBlank()) {
      return rejected(Reason.MISSING, "no token");
    }
    final SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      // "alg":"none" tokens are PlainJWTs and fail to parse as signed ones.
      return isUnsigned(token) ? rejected(Reason.UNSUPPORTED_ALGORITHM, "unsigned token")
          : rejected(Reason.MALFORMED, "malformed token");
    }
    if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
      return rejected(Reason.UNSUPPORTED_ALGORITHM,
          "unsupported algorithm " + jwt.getHeader().getAlgorithm() + " (HS256 required)");
    }
    try {
      if (!jwt.verify(verifier)) {
        return rejected(Reason.BAD_SIGNATURE, "bad signature");
      }
    } catch (JOSEException | IllegalStateException e) {
      return rejected(Reason.BAD_SIGNATURE, "cannot verify signature");
    }
    final JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return rejected(Reason.MALFORMED, "malformed claims");
    }
    final String subject = claims.getSubject();
    if (subject == null || subject.isBlank()) {
      return rejected(Reason.MISSING_CLAIM, "missing sub");
    }
    final Date exp = claims.getExpirationTime();
    if (exp == null) {
      return rejected(Reason.MISSING_CLAIM, "missing exp");
    }
    final Instant now = clock.instant();
    if (exp.toInstant().plus(skew).isBefore(now)) {
      return rejected(Reason.EXPIRED, "token expired");
    }
    final Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().minus(skew).isAfter(now)) {
      return rejected(Reason.NOT_YET_VALID, "token not yet valid");
    }
    return new TokenVerdict.Accepted(new Principal(subject, exp.toInstant()));
  }

  private static boolean isUnsigned(final String token) {
    try {
      return JWTParser.parse(token) instanceof PlainJWT;
    } catch (ParseException e) {
      return false;
    }
  }

  private static TokenVerdict rejected(final Reason reason, final String message) {
    return new TokenVerdict.Rejected(reason, message);
  }
}
