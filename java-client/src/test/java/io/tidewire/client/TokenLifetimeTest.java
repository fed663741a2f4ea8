package io.tidewire.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.client.testing.Jwts;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenLifetimeTest {

  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  void readsExpAndIatWithoutVerifying() {
    final String token = Jwts.token("u1", T0, T0.plusSeconds(600));

    assertThat(TokenLifetime.decode(token))
        .contains(new TokenLifetime(T0.plusSeconds(600), Optional.of(T0)));
  }

  @Test
  void refreshesAtEightyPercentOfTheLifetimeFromIat() {
    final TokenLifetime lifetime = TokenLifetime.decode(Jwts.token("u1", T0, T0.plusSeconds(600))).orElseThrow();

    assertThat(lifetime.refreshAt(T0.plusSeconds(100), 0.8)).isEqualTo(T0.plusSeconds(480));
  }

  @Test
  void withoutIatTheLifetimeCountsFromWhenTheTokenWasObtained() {
    final TokenLifetime lifetime =
        TokenLifetime.decode(Jwts.withPayload("{\"exp\":" + T0.plusSeconds(100).getEpochSecond() + "}")).orElseThrow();

    assertThat(lifetime.issuedAt()).isEmpty();
    assertThat(lifetime.refreshAt(T0, 0.8)).isEqualTo(T0.plusSeconds(80));
  }

  @Test
  void anAlreadyExpiredTokenIsDueAtItsExpiry() {
    final TokenLifetime lifetime =
        TokenLifetime.decode(Jwts.withPayload("{\"exp\":" + T0.getEpochSecond() + "}")).orElseThrow();

    assertThat(lifetime.refreshAt(T0.plusSeconds(10), 0.8)).isEqualTo(T0);
  }

  @Test
  void anIatAfterExpIsIgnored() {
    final TokenLifetime lifetime = TokenLifetime.decode(Jwts.token("u", T0.plusSeconds(10), T0)).orElseThrow();

    assertThat(lifetime.issuedAt()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "token-1", "a.b", "a.b.c.d", "!!!.@@@.###", "e30.e30.sig",
      "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.sig", "eyJhbGciOiJIUzI1NiJ9.WzFd.sig",
      "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOiJzb29uIn0.sig", "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOi0xfQ.sig",
      "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjFlMzAwfQ.sig"})
  void garbageHasNoLifetime(final String token) {
    // e30 = {} (no exp); bm90IGpzb24 = "not json"; WzFd = [1]; exp "soon", -1, 1e300
    assertThat(TokenLifetime.decode(token)).isEmpty();
  }
}
