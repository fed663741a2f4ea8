package io.tidewire.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.auth.TokenVerdict.Reason;
import io.tidewire.testing.TokenMint;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The claims rules of a {@link TokenPolicy}: issuer, audience, lifetime, subject format; and their counts. */
class JwtVerifierRulesTest {

  private static final String SECRET = "rules-test-secret-0123456789abcdef-0123";
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final String SUB = "7d1e4c2a-93b5-4f0e-a6d8-2c9b1f3e5a70";
  private static final String ISSUER = "https://project.supabase.co/auth/v1";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private JwtVerifier verifier(final TokenPolicy policy) {
    return new JwtVerifier(Optional.of(SECRET.getBytes(StandardCharsets.UTF_8)), Optional.empty(), policy,
        Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(30), registry);
  }

  private static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder().subject(SUB).issueTime(Date.from(NOW))
        .expirationTime(Date.from(NOW.plus(Duration.ofHours(1))));
  }

  private static TokenVerdict verify(final JwtVerifier verifier, final JWTClaimsSet.Builder claims) {
    return verifier.verify(TokenMint.hs256(SECRET, claims.build()));
  }

  private static Reason reason(final JwtVerifier verifier, final JWTClaimsSet.Builder claims) {
    final TokenVerdict verdict = verify(verifier, claims);
    assertThat(verdict).isInstanceOf(TokenVerdict.Rejected.class);
    return ((TokenVerdict.Rejected) verdict).reason();
  }

  @Test
  void requiresTheConfiguredIssuer() {
    final JwtVerifier verifier = verifier(TokenPolicy.defaults().withIssuer(ISSUER));

    assertThat(verify(verifier, claims().issuer(ISSUER))).isInstanceOf(TokenVerdict.Accepted.class);
    assertThat(reason(verifier, claims().issuer("https://other.example/auth"))).isEqualTo(Reason.WRONG_ISSUER);
    assertThat(reason(verifier, claims())).isEqualTo(Reason.MISSING_CLAIM);
  }

  @Test
  void requiresOneOfTheConfiguredAudiences() {
    final JwtVerifier verifier = verifier(TokenPolicy.defaults().withAudiences(List.of("authenticated", "tidewire")));

    assertThat(verify(verifier, claims().audience("tidewire"))).isInstanceOf(TokenVerdict.Accepted.class);
    assertThat(verify(verifier, claims().audience(List.of("other", "authenticated"))))
        .isInstanceOf(TokenVerdict.Accepted.class);
    assertThat(reason(verifier, claims().audience("refresh"))).isEqualTo(Reason.WRONG_AUDIENCE);
    assertThat(reason(verifier, claims())).isEqualTo(Reason.WRONG_AUDIENCE);
  }

  @Test
  void ignoresIssuerAndAudienceWhenNotConfigured() {
    assertThat(verify(verifier(TokenPolicy.defaults()), claims().issuer("anyone").audience("anything")))
        .isInstanceOf(TokenVerdict.Accepted.class);
  }

  @Test
  void refusesLifetimeOverTheMaximumCountedFromIat() {
    final JwtVerifier verifier = verifier(TokenPolicy.defaults());

    assertThat(verify(verifier, claims().issueTime(Date.from(NOW.minus(Duration.ofHours(23))))
        .expirationTime(Date.from(NOW.plus(Duration.ofHours(1)))))).isInstanceOf(TokenVerdict.Accepted.class);
    assertThat(reason(verifier, claims().expirationTime(Date.from(NOW.plus(Duration.ofHours(24)).plusSeconds(1)))))
        .isEqualTo(Reason.LIFETIME_TOO_LONG);
    assertThat(reason(verifier, claims().expirationTime(Date.from(NOW.plus(Duration.ofDays(3650))))))
        .isEqualTo(Reason.LIFETIME_TOO_LONG);
  }

  @Test
  void countsLifetimeFromNowWhenIatIsMissingOrInTheFuture() {
    final JwtVerifier verifier = verifier(TokenPolicy.defaults().withMaxLifetime(Duration.ofHours(1)));
    final Date inTwoHours = Date.from(NOW.plus(Duration.ofHours(2)));

    assertThat(reason(verifier, claims().issueTime(null).expirationTime(inTwoHours)))
        .isEqualTo(Reason.LIFETIME_TOO_LONG);
    assertThat(reason(verifier, claims().issueTime(Date.from(NOW.plus(Duration.ofHours(1)))).expirationTime(inTwoHours)))
        .isEqualTo(Reason.LIFETIME_TOO_LONG);
    assertThat(verify(verifier, claims().issueTime(null).expirationTime(Date.from(NOW.plus(Duration.ofMinutes(59))))))
        .isInstanceOf(TokenVerdict.Accepted.class);
  }

  @Test
  void requiresUuidSubjectsByDefault() {
    final JwtVerifier verifier = verifier(TokenPolicy.defaults());

    assertThat(verify(verifier, claims().subject(SUB.toUpperCase()))).isInstanceOf(TokenVerdict.Accepted.class);
    assertThat(reason(verifier, claims().subject("alice"))).isEqualTo(Reason.BAD_SUBJECT);
    assertThat(reason(verifier, claims().subject(SUB + "x"))).isEqualTo(Reason.BAD_SUBJECT);
    assertThat(reason(verifier, claims().subject("../" + SUB))).isEqualTo(Reason.BAD_SUBJECT);
  }

  @Test
  void subjectFormatIsConfigurable() {
    final JwtVerifier any = verifier(TokenPolicy.defaults().withSubjectFormat(SubjectFormat.ANY));
    final JwtVerifier regex = verifier(TokenPolicy.defaults().withSubjectFormat(SubjectFormat.parse("regex:u-[0-9]+")));

    assertThat(verify(any, claims().subject("alice"))).isInstanceOf(TokenVerdict.Accepted.class);
    assertThat(reason(any, claims().subject("  "))).isEqualTo(Reason.BAD_SUBJECT);
    assertThat(verify(regex, claims().subject("u-42"))).isInstanceOf(TokenVerdict.Accepted.class);
    assertThat(reason(regex, claims().subject("u-42x"))).isEqualTo(Reason.BAD_SUBJECT);
  }

  @Test
  void clientsSeeOnlyTheReasonsFixedTextNeverClaimValues() {
    final JwtVerifier verifier = verifier(TokenPolicy.defaults().withIssuer(ISSUER));
    final TokenVerdict.Rejected rejected = (TokenVerdict.Rejected) verify(verifier,
        claims().issuer("https://evil.example/<script>"));

    assertThat(rejected.message()).isEqualTo("wrong issuer");
    assertThat(rejected.detail()).contains("iss");
  }

  @Test
  void countsRejectionsByReasonFromZero() {
    final JwtVerifier verifier = verifier(TokenPolicy.defaults());

    for (final Reason reason : Reason.values()) {
      assertThat(registry.get("tidewire.gateway.token.rejections").tag("reason", reason.name().toLowerCase())
          .counter().count()).isZero();
    }
    reason(verifier, claims().subject("alice"));
    verifier.verify(Optional.empty());

    assertThat(registry.get("tidewire.gateway.token.rejections").tag("reason", "bad_subject").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("tidewire.gateway.token.rejections").tag("reason", "missing").counter().count())
        .isEqualTo(1);
  }
}
