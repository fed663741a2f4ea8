package io.tidewire.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import io.tidewire.gateway.auth.TokenVerdict.Reason;
import io.tidewire.gateway.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;

class ApiKeyVerificationTest {

  private final JwtVerifier verifier = new JwtVerifier(Tokens.SECRET.getBytes(StandardCharsets.UTF_8));

  private static String key(final String secret, final String role, final String sub, final Instant exp) {
    final JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer("supabase")
        .issueTime(new Date()).expirationTime(Date.from(exp));
    if (role != null) {
      claims.claim("role", role);
    }
    if (sub != null) {
      claims.subject(sub);
    }
    return Tokens.sign(JWSAlgorithm.HS256, secret, claims.build());
  }

  @Test
  void acceptsAProjectsLongLivedAnonKeyAsNoUser() {
    final TokenVerdict verdict = verifier.verifyApiKey(key(Tokens.SECRET, "anon", null,
        Instant.now().plus(Duration.ofDays(3650))));
    assertThat(verdict).isInstanceOf(TokenVerdict.Accepted.class);
    assertThat(((TokenVerdict.Accepted) verdict).principal().userId()).isEqualTo(JwtVerifier.ANONYMOUS);
    // the session-token rules would refuse it: no sub, lifetime of ten years
    assertThat(verifier.verify(key(Tokens.SECRET, "anon", null, Instant.now().plus(Duration.ofDays(3650)))))
        .isInstanceOf(TokenVerdict.Rejected.class);
  }

  @Test
  void anAuthenticatedUsersTokenSpeaksForItsUser() {
    final TokenVerdict verdict = verifier.verifyApiKey(key(Tokens.SECRET, "authenticated",
        "0b9f8f1e-6c1d-4a51-9a5e-3f2f7c1d2e4a", Instant.now().plusSeconds(600)));
    assertThat(((TokenVerdict.Accepted) verdict).principal().userId())
        .isEqualTo("0b9f8f1e-6c1d-4a51-9a5e-3f2f7c1d2e4a");
  }

  @Test
  void refusesServiceKeysKeysWithoutRoleForgedAndExpiredOnes() {
    final Instant later = Instant.now().plusSeconds(600);
    assertThat(verifier.verifyApiKey(key(Tokens.SECRET, "service_role", null, later)))
        .isEqualTo(new TokenVerdict.Rejected(Reason.MISSING_CLAIM, "role must be anon or authenticated"));
    assertThat(((TokenVerdict.Rejected) verifier.verifyApiKey(key(Tokens.SECRET, null, null, later))).reason())
        .isEqualTo(Reason.MISSING_CLAIM);
    assertThat(((TokenVerdict.Rejected) verifier.verifyApiKey(key(Tokens.OTHER_SECRET, "anon", null, later)))
        .reason()).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(((TokenVerdict.Rejected) verifier.verifyApiKey(key(Tokens.SECRET, "anon", null,
        Instant.now().minusSeconds(600)))).reason()).isEqualTo(Reason.EXPIRED);
    assertThat(((TokenVerdict.Rejected) verifier.verifyApiKey("")).reason()).isEqualTo(Reason.MISSING);
  }
}
