package io.tidewire.gateway.auth;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The claims a token must carry besides a valid signature and a current {@code exp}.
 *
 * @param issuer the {@code iss} required, if any
 * @param audiences the {@code aud} values accepted (a token needs one of them); empty accepts any
 *     or none
 * @param maxLifetime the longest a token may live: {@code exp − iat}, an {@code iat} later than
 *     now (or missing) counting as now, so no token reaches further than now + this
 * @param subjectFormat what {@code sub} must look like
 */
public record TokenPolicy(Optional<String> issuer, List<String> audiences, Duration maxLifetime,
    SubjectFormat subjectFormat) {

  /** The longest lifetime unless configured otherwise. */
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(24);

  public TokenPolicy {
    Objects.requireNonNull(issuer, "issuer");
    audiences = List.copyOf(audiences);
    Objects.requireNonNull(maxLifetime, "maxLifetime");
    Objects.requireNonNull(subjectFormat, "subjectFormat");
    if (maxLifetime.isNegative() || maxLifetime.isZero()) {
      throw new IllegalArgumentException("maxLifetime must be positive: " + maxLifetime);
    }
  }

  /** No {@code iss} or {@code aud} required, {@link #DEFAULT_MAX_LIFETIME}, UUID subjects. */
  public static TokenPolicy defaults() {
    return new TokenPolicy(Optional.empty(), List.of(), DEFAULT_MAX_LIFETIME, SubjectFormat.UUID);
  }

  /** This policy with another {@code iss} requirement. */
  public TokenPolicy withIssuer(final String required) {
    return new TokenPolicy(Optional.of(required), audiences, maxLifetime, subjectFormat);
  }

  /** This policy with other accepted {@code aud} values. */
  public TokenPolicy withAudiences(final List<String> accepted) {
    return new TokenPolicy(issuer, accepted, maxLifetime, subjectFormat);
  }

  /** This policy with another maximum lifetime. */
  public TokenPolicy withMaxLifetime(final Duration max) {
    return new TokenPolicy(issuer, audiences, max, subjectFormat);
  }

  /** This policy with another {@code sub} format. */
  public TokenPolicy withSubjectFormat(final SubjectFormat format) {
    return new TokenPolicy(issuer, audiences, maxLifetime, format);
  }
}
