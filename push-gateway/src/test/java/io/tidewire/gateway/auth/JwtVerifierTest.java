package io.tidewire.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import io.tidewire.gateway.GatewayException;
import io.tidewire.gateway.auth.TokenVerdict.Reason;
import io.tidewire.gateway.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JwtVerifierTest {

  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final String SUB = "7d1e4c2a-93b5-4f0e-a6d8-2c9b1f3e5a70";
  private static final String OTHER_SUB = "0f9a8b7c-6d5e-4f3a-8b1c-2d3e4f5a6b7c";
  private final JwtVerifier verifier = new JwtVerifier(Tokens.SECRET.getBytes(StandardCharsets.UTF_8),
      Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(30));

  @Test
  void acceptsGenuineCurrentTokenAndTakesUserFromSub() {
    final TokenVerdict verdict = verifier.verify(Tokens.hs256(Tokens.SECRET, SUB, NOW.plusSeconds(60)));

    assertThat(verdict).isEqualTo(new TokenVerdict.Accepted(new Principal(SUB, NOW.plusSeconds(60))));
  }

  @Test
  void rejectsForgedSignature() {
    assertThat(verifier.verify(Tokens.hs256(Tokens.OTHER_SECRET, SUB, NOW.plusSeconds(60))))
        .isInstanceOfSatisfying(TokenVerdict.Rejected.class, r -> {
          assertThat(r.reason()).isEqualTo(Reason.BAD_SIGNATURE);
          assertThat(r.message()).isEqualTo("bad signature");
        });
  }

  @Test
  void rejectsTamperedPayload() {
    final String genuine = Tokens.hs256(Tokens.SECRET, SUB, NOW.plusSeconds(60));
    final String other = Tokens.hs256(Tokens.SECRET, OTHER_SUB, NOW.plusSeconds(60));
    final String[] a = genuine.split("\\.");
    final String[] b = other.split("\\.");

    assertThat(reason(a[0] + "." + b[1] + "." + a[2])).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsExpiredTokenBeyondClockSkew() {
    assertThat(reason(Tokens.hs256(Tokens.SECRET, SUB, NOW.minusSeconds(31))))
        .isEqualTo(Reason.EXPIRED);
  }

  @Test
  void allowsSmallClockSkewOnExpiry() {
    assertThat(verifier.verify(Tokens.hs256(Tokens.SECRET, SUB, NOW.minusSeconds(29))))
        .isInstanceOf(TokenVerdict.Accepted.class);
  }

  @Test
  void rejectsTokenWithoutExp() {
    assertThat(reason(Tokens.hs256(Tokens.SECRET, SUB, null))).isEqualTo(Reason.MISSING_CLAIM);
  }

  @Test
  void rejectsTokenWithoutSub() {
    assertThat(reason(Tokens.hs256(Tokens.SECRET, null, NOW.plusSeconds(60)))).isEqualTo(Reason.MISSING_CLAIM);
    assertThat(reason(Tokens.hs256(Tokens.SECRET, " ", NOW.plusSeconds(60)))).isEqualTo(Reason.BAD_SUBJECT);
  }

  @Test
  void rejectsTokenNotYetValid() {
    final JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(SUB)
        .expirationTime(Date.from(NOW.plusSeconds(600)))
        .notBeforeTime(Date.from(NOW.plusSeconds(120))).build();

    assertThat(reason(Tokens.sign(JWSAlgorithm.HS256, Tokens.SECRET, claims)))
        .isEqualTo(Reason.NOT_YET_VALID);
  }

  @Test
  void rejectsAlgNone() {
    assertThat(reason(Tokens.unsigned(SUB))).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
  }

  @Test
  void rejectsOtherHmacAlgorithmEvenWithTheRightSecret() {
    final String secret48 = Tokens.SECRET + "-padding-pad";
    final JwtVerifier longSecret = new JwtVerifier(secret48.getBytes(StandardCharsets.UTF_8),
        Clock.fixed(NOW, ZoneOffset.UTC), Duration.ZERO);
    final JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(SUB)
        .expirationTime(Date.from(NOW.plusSeconds(60))).build();

    final TokenVerdict verdict = longSecret.verify(Tokens.sign(JWSAlgorithm.HS384, secret48, claims));

    assertThat(verdict).isInstanceOfSatisfying(TokenVerdict.Rejected.class,
        r -> assertThat(r.reason()).isEqualTo(Reason.UNSUPPORTED_ALGORITHM));
  }

  @ParameterizedTest
  @ValueSource(strings = {"garbage", "a.b.c", "...", "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9..",
      "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln", "{\"alg\":\"HS256\"}", "ü.ö.ä", "\u0000"})
  void rejectsGarbageWithoutThrowing(final String token) {
    assertThat(verifier.verify(token)).isInstanceOf(TokenVerdict.Rejected.class);
  }

  @Test
  void rejectsMissingToken() {
    assertThat(verifier.verify(Optional.empty())).isEqualTo(new TokenVerdict.Rejected(Reason.MISSING, "no token"));
    assertThat(reason("")).isEqualTo(Reason.MISSING);
  }

  @Test
  void refusesSecretShorterThan32Bytes() {
    assertThatThrownBy(() -> new JwtVerifier(new byte[31]))
        .isInstanceOf(GatewayException.class)
        .hasMessageContaining("at least 32 bytes");
  }

  private Reason reason(final String token) {
    final TokenVerdict verdict = verifier.verify(token);
    assertThat(verdict).isInstanceOf(TokenVerdict.Rejected.class);
    return ((TokenVerdict.Rejected) verdict).reason();
  }
}
