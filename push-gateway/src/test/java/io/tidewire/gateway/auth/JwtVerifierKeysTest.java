package io.tidewire.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.auth.TokenVerdict.Reason;
import io.tidewire.testing.JwksServer;
import io.tidewire.testing.TokenMint;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Asymmetric keys from a JWKS (file and HTTP), rotation, rate-limited refresh, and algorithm attacks. */
class JwtVerifierKeysTest {

  private static final String SECRET = "keys-test-secret-0123456789abcdef-012345";
  private static final RSAKey RSA = TokenMint.rsa();
  private static final ECKey EC = TokenMint.ec();
  private static final OctetKeyPair ED = TokenMint.ed25519();

  private final String sub = UUID.randomUUID().toString();

  private static JwtVerifier verifier(final Optional<String> secret, final Optional<JWKSource<SecurityContext>> jwks) {
    return new JwtVerifier(secret.map(s -> s.getBytes(StandardCharsets.UTF_8)), jwks, TokenPolicy.defaults(),
        Clock.systemUTC(), Duration.ofSeconds(5), new SimpleMeterRegistry());
  }

  private static JWKSource<SecurityContext> source(final URI location, final Duration refreshMinInterval) {
    return new JwksConfig(location, Duration.ofMinutes(5), refreshMinInterval).source();
  }

  private static JwtVerifier fromFile(final Path file) {
    return verifier(Optional.empty(), Optional.of(source(file.toUri(), Duration.ZERO)));
  }

  private JWTClaimsSet claims() {
    return TokenMint.claims(sub, Duration.ofMinutes(10)).build();
  }

  private static Reason reason(final TokenVerdict verdict) {
    assertThat(verdict).isInstanceOf(TokenVerdict.Rejected.class);
    return ((TokenVerdict.Rejected) verdict).reason();
  }

  @Test
  void acceptsRs256Es256AndEdDsaFromAJwksFile(@TempDir final Path dir) throws Exception {
    final JwtVerifier verifier = fromFile(Files.writeString(dir.resolve("jwks.json"), TokenMint.jwks(RSA, EC, ED)));

    for (final var key : new com.nimbusds.jose.jwk.JWK[] {RSA, EC, ED}) {
      assertThat(verifier.verify(TokenMint.sign(key, claims())))
          .as(key.getKeyType().getValue())
          .isInstanceOfSatisfying(TokenVerdict.Accepted.class, a -> assertThat(a.principal().userId()).isEqualTo(sub));
    }
  }

  @Test
  void acceptsHs256AndJwksTokensWhenBothAreConfigured(@TempDir final Path dir) throws Exception {
    final Path file = Files.writeString(dir.resolve("jwks.json"), TokenMint.jwks(RSA));
    final JwtVerifier verifier = verifier(Optional.of(SECRET), Optional.of(source(file.toUri(), Duration.ZERO)));

    assertThat(verifier.verify(TokenMint.hs256(SECRET, claims()))).isInstanceOf(TokenVerdict.Accepted.class);
    assertThat(verifier.verify(TokenMint.sign(RSA, claims()))).isInstanceOf(TokenVerdict.Accepted.class);
  }

  @Test
  void refusesTokensOfKeysNotInTheJwks(@TempDir final Path dir) throws Exception {
    final JwtVerifier verifier = fromFile(Files.writeString(dir.resolve("jwks.json"), TokenMint.jwks(RSA)));

    assertThat(reason(verifier.verify(TokenMint.sign(TokenMint.rsa(), claims())))).isEqualTo(Reason.UNKNOWN_KEY);
    assertThat(reason(verifier.verify(TokenMint.sign(TokenMint.ec(), claims())))).isEqualTo(Reason.UNKNOWN_KEY);
  }

  @Test
  void refusesASignatureByAnotherKeyUnderAKnownKid(@TempDir final Path dir) throws Exception {
    final JwtVerifier verifier = fromFile(Files.writeString(dir.resolve("jwks.json"), TokenMint.jwks(RSA)));
    final RSAKey impostor = new RSAKey.Builder(TokenMint.rsa()).keyID(RSA.getKeyID()).build();

    assertThat(reason(verifier.verify(TokenMint.sign(impostor, claims())))).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void refusesHs256SignedWithTheRsaPublicKey(@TempDir final Path dir) throws Exception {
    final Path file = Files.writeString(dir.resolve("jwks.json"), TokenMint.jwks(RSA));
    final String confused = TokenMint.confused(RSA, claims());

    assertThat(reason(fromFile(file).verify(confused))).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
    assertThat(reason(verifier(Optional.of(SECRET), Optional.of(source(file.toUri(), Duration.ZERO))).verify(confused)))
        .isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void refusesAlgNoneAndAsymmetricTokensWithoutAJwks() {
    final JwtVerifier hmacOnly = verifier(Optional.of(SECRET), Optional.empty());

    assertThat(reason(hmacOnly.verify(TokenMint.unsigned(claims())))).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
    assertThat(reason(hmacOnly.verify(TokenMint.sign(RSA, claims())))).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
  }

  @Test
  void rotationInAFileTakesEffectOnTheNextUnknownKid(@TempDir final Path dir) throws Exception {
    final Path file = Files.writeString(dir.resolve("jwks.json"), TokenMint.jwks(RSA));
    final JwtVerifier verifier = fromFile(file);
    final RSAKey next = TokenMint.rsa();
    assertThat(verifier.verify(TokenMint.sign(RSA, claims()))).isInstanceOf(TokenVerdict.Accepted.class);

    Files.writeString(file, TokenMint.jwks(next));

    assertThat(verifier.verify(TokenMint.sign(next, claims()))).isInstanceOf(TokenVerdict.Accepted.class);
    assertThat(reason(verifier.verify(TokenMint.sign(RSA, claims())))).isEqualTo(Reason.UNKNOWN_KEY);
  }

  @Test
  void rotationOverHttpAcceptsTheNewKeyAndRefusesTheRemovedOne() {
    final ECKey next = TokenMint.ec();
    try (JwksServer server = JwksServer.serving(TokenMint.jwks(EC, ED))) {
      final JwtVerifier verifier = verifier(Optional.empty(), Optional.of(source(server.uri(), Duration.ZERO)));
      assertThat(verifier.verify(TokenMint.sign(EC, claims()))).isInstanceOf(TokenVerdict.Accepted.class);
      assertThat(verifier.verify(TokenMint.sign(ED, claims()))).isInstanceOf(TokenVerdict.Accepted.class);
      assertThat(server.fetches()).isEqualTo(1);

      server.publish(TokenMint.jwks(next, ED));

      assertThat(verifier.verify(TokenMint.sign(next, claims()))).isInstanceOf(TokenVerdict.Accepted.class);
      assertThat(reason(verifier.verify(TokenMint.sign(EC, claims())))).isEqualTo(Reason.UNKNOWN_KEY);
      assertThat(verifier.verify(TokenMint.sign(ED, claims()))).isInstanceOf(TokenVerdict.Accepted.class);
    }
  }

  @Test
  void unknownKidsCannotMakeTheGatewayHammerTheJwksUrl() {
    try (JwksServer server = JwksServer.serving(TokenMint.jwks(RSA))) {
      final JwtVerifier verifier = verifier(Optional.empty(), Optional.of(source(server.uri(), Duration.ofMinutes(4))));
      assertThat(verifier.verify(TokenMint.sign(RSA, claims()))).isInstanceOf(TokenVerdict.Accepted.class);

      for (int i = 0; i < 50; i++) {
        assertThat(reason(verifier.verify(TokenMint.sign(TokenMint.ec(), claims())))).isEqualTo(Reason.UNKNOWN_KEY);
      }

      assertThat(server.fetches()).isLessThanOrEqualTo(3);
      assertThat(verifier.verify(TokenMint.sign(RSA, claims()))).isInstanceOf(TokenVerdict.Accepted.class);
    }
  }

  @Test
  void anUnreachableJwksRefusesTokensAsKeysUnavailable() {
    final URI nowhere;
    try (JwksServer server = JwksServer.serving(TokenMint.jwks(RSA))) {
      nowhere = server.uri();
    }
    final JwtVerifier verifier = verifier(Optional.empty(), Optional.of(source(nowhere, Duration.ZERO)));

    assertThat(reason(verifier.verify(TokenMint.sign(RSA, claims())))).isEqualTo(Reason.KEYS_UNAVAILABLE);
  }
}
