package io.tidewire.gateway.auth;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimNames;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import io.tidewire.gateway.auth.TokenVerdict.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.Set;

/**
 * The claims checks of a {@link TokenPolicy}, run by Nimbus's processor once the signature holds:
 * Nimbus's {@link DefaultJWTClaimsVerifier} for the required claims ({@code sub}, {@code exp}, and
 * {@code iss}/{@code aud} when configured), {@code iss}, {@code aud}, {@code exp} and {@code nbf}
 * with the clock skew; then the maximum lifetime and the {@code sub} format, which Nimbus does
 * not know. Every refusal is a {@link Refusal} carrying its {@link Reason}.
 *
 * <p>Thread-safe.
 */
final class ClaimRules implements JWTClaimsSetVerifier<SecurityContext> {

  private final TokenPolicy policy;
  private final Clock clock;
  private final DefaultJWTClaimsVerifier<SecurityContext> standard;

  ClaimRules(final TokenPolicy policy, final Clock clock, final Duration skew) {
    this.policy = policy;
    this.clock = clock;
    final Set<String> required = new HashSet<>(Set.of(JWTClaimNames.SUBJECT, JWTClaimNames.EXPIRATION_TIME));
    final JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    policy.issuer().ifPresent(iss -> {
      exact.issuer(iss);
      required.add(JWTClaimNames.ISSUER);
    });
    this.standard = new DefaultJWTClaimsVerifier<>(
        policy.audiences().isEmpty() ? null : new HashSet<>(policy.audiences()), exact.build(), required, null) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    standard.setMaxClockSkew(Math.toIntExact(skew.toSeconds()));
  }

  @Override
  public void verify(final JWTClaimsSet claims, final SecurityContext context) throws BadJWTException {
    try {
      standard.verify(claims, context);
    } catch (ExpiredJWTException e) {
      throw new Refusal(Reason.EXPIRED, e.getMessage());
    } catch (BadJWTException e) {
      throw new Refusal(classify(e.getMessage()), e.getMessage());
    }
    final Instant now = clock.instant();
    final Instant exp = claims.getExpirationTime().toInstant();
    final Date iat = claims.getIssueTime();
    final Instant issued = iat == null || iat.toInstant().isAfter(now) ? now : iat.toInstant();
    if (Duration.between(issued, exp).compareTo(policy.maxLifetime()) > 0) {
      throw new Refusal(Reason.LIFETIME_TOO_LONG, "lifetime " + Duration.between(issued, exp)
          + " exceeds " + policy.maxLifetime() + (iat == null ? " (no iat: counted from now)" : ""));
    }
    if (!policy.subjectFormat().accepts(claims.getSubject())) {
      throw new Refusal(Reason.BAD_SUBJECT, "sub is not " + policy.subjectFormat());
    }
  }

  /** Nimbus tells its refusals apart only by message; the unit tests pin each one. */
  private static Reason classify(final String message) {
    final String m = message == null ? "" : message;
    if (m.contains("missing required claims")) {
      return Reason.MISSING_CLAIM;
    }
    if (m.contains("aud claim")) {
      return Reason.WRONG_AUDIENCE;
    }
    if (m.contains("iss claim")) {
      return Reason.WRONG_ISSUER;
    }
    if (m.contains("before use time")) {
      return Reason.NOT_YET_VALID;
    }
    return Reason.MALFORMED;
  }

  /** A claims check failed, for {@code reason}. */
  static final class Refusal extends BadJWTException {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    Refusal(final Reason reason, final String message) {
      super(message);
      this.reason = reason;
    }

    Reason reason() {
      return reason;
    }
  }
}
