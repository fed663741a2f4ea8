package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.infra.SharedInfra;
import io.tidewire.launcher.TidewireSettings;
import io.tidewire.launcher.TidewireStack;
import io.tidewire.testing.JwksServer;
import io.tidewire.testing.TokenMint;
import io.tidewire.testing.WsClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Foreign and forged tokens against a gateway configured as a Supabase-style deployment: a JWKS
 * (RS256, ES256, EdDSA) served over HTTP and rotated during the test, the legacy HS256 secret, a
 * required {@code iss} and {@code aud}, UUID subjects and a 24 h lifetime. Each token is refused at
 * the upgrade (HTTP 401) and, sent in an {@code auth} op on a live session, gets an error frame
 * while the session goes on. Throughout, a well-behaved client receives its events in order; its
 * commit-to-receipt latency during each attack is logged, not asserted.
 *
 * <p>The shared gateway's settings carry no JWKS, so this test starts a second gateway on the
 * shared pipeline with its own settings.
 */
class HostileTokensIT {

  private static final Logger LOG = LoggerFactory.getLogger(HostileTokensIT.class);
  private static final SharedStack STACK = SharedStack.get();
  private static final String ISSUER = "https://tidewire-it.supabase.co/auth/v1";
  private static final String AUDIENCE = "authenticated";

  private record Attack(String name, String token, String code, String message) {}

  @Test
  void foreignTokensAreRefusedWhileAWellBehavedClientKeepsReceivingInOrder() throws Exception {
    final RSAKey retired = TokenMint.rsa();
    final RSAKey next = TokenMint.rsa();
    final ECKey current = TokenMint.ec();
    final OctetKeyPair edwards = TokenMint.ed25519();
    final UUID user = STACK.newUser();
    final UUID job = UUID.randomUUID();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (JwksServer jwks = JwksServer.serving(TokenMint.jwks(retired, current, edwards));
         Gateway gateway = startGateway(jwks.uri(), meters)) {
      final URI endpoint = URI.create("ws://127.0.0.1:" + gateway.port() + "/v1/realtime");
      assertThat(upgrade(endpoint, TokenMint.sign(retired, good(user).build()))).as("retired key before rotation")
          .isEqualTo(101);
      assertThat(upgrade(endpoint, TokenMint.sign(edwards, good(user).build()))).as("EdDSA").isEqualTo(101);
      assertThat(upgrade(endpoint, TokenMint.hs256(SharedStack.SECRET, good(user).build()))).as("HS256")
          .isEqualTo(101);

      try (WsClient client = WsClient.connect(endpoint, TokenMint.sign(current, good(user).build()))) {
        client.subscribe("s", "user");
        STACK.sql("INSERT INTO generation_jobs (id, user_id, kind) VALUES (?, ?, 'video')", job, user);
        client.awaitFrame(f -> isProgress(f, job, 0));

        // the auth server rotates: `next` is published, `retired` removed
        jwks.publish(TokenMint.jwks(next, current, edwards));
        assertThat(upgrade(endpoint, TokenMint.sign(next, good(user).build()))).as("new key after rotation")
            .isEqualTo(101);

        final Instant now = Instant.now();
        final List<Attack> attacks = List.of(
            new Attack("wrong aud", TokenMint.sign(current, good(user).audience("service_role").build()),
                "unauthorized", "wrong audience"),
            new Attack("wrong iss", TokenMint.sign(current, good(user).issuer("https://other.supabase.co/auth/v1")
                .build()), "unauthorized", "wrong issuer"),
            new Attack("lifetime over 24 h", TokenMint.sign(current, good(user)
                .expirationTime(Date.from(now.plus(Duration.ofDays(365)))).build()),
                "unauthorized", "token lifetime too long"),
            new Attack("sub not a UUID", TokenMint.sign(current, good(user).subject("alice").build()),
                "unauthorized", "invalid subject"),
            new Attack("rotated-out JWKS key", TokenMint.sign(retired, good(user).build()),
                "unauthorized", "unknown signing key"),
            new Attack("alg none", TokenMint.unsigned(good(user).build()),
                "unauthorized", "unsupported token algorithm"),
            new Attack("HS256 signed with the RSA public key", TokenMint.confused(next, good(user).build()),
                "unauthorized", "bad signature"),
            new Attack("expired", TokenMint.sign(current, good(user).issueTime(Date.from(now.minusSeconds(600)))
                .expirationTime(Date.from(now.minusSeconds(60))).build()), "token_expired", "token expired"));

        final List<String> report = new ArrayList<>();
        int progress = 0;
        for (int quiet = 0; quiet < 3; quiet++) {
          progress++;
          STACK.sql("UPDATE generation_jobs SET status = 'active', progress = ? WHERE id = ?", progress, job);
          final long committedAt = System.nanoTime();
          final int expected = progress;
          final JsonNode event = client.awaitFrame(f -> isProgress(f, job, expected));
          report.add(String.format("%-38s %-45s | well-behaved client latency %.1f ms", "(no attack, baseline)", "",
              (client.receivedAt(event) - committedAt) / 1_000_000.0));
        }
        for (final Attack attack : attacks) {
          progress++;
          STACK.sql("UPDATE generation_jobs SET status = 'active', progress = ? WHERE id = ?", progress, job);
          final long committedAt = System.nanoTime();

          assertThat(upgrade(endpoint, attack.token())).as(attack.name()).isEqualTo(401);
          final String ref = "auth-" + progress;
          client.send("{\"op\":\"auth\",\"ref\":\"" + ref + "\",\"token\":\"" + attack.token() + "\"}");
          final JsonNode error = client.awaitFrame(f -> ref.equals(f.path("ref").asText()));
          assertThat(error.path("op").asText()).as(attack.name()).isEqualTo("error");
          assertThat(error.path("code").asText()).as(attack.name()).isEqualTo(attack.code());
          assertThat(error.path("message").asText()).as(attack.name()).isEqualTo(attack.message());

          final int expected = progress;
          final JsonNode event = client.awaitFrame(f -> isProgress(f, job, expected));
          final double millis = (client.receivedAt(event) - committedAt) / 1_000_000.0;
          report.add(String.format("%-38s %-45s | well-behaved client latency %.1f ms", attack.name(),
              "upgrade 401, auth op " + attack.code() + " \"" + attack.message() + "\"", millis));
        }
        LOG.info("hostile tokens, {} attacks (commit to receipt through the whole pipeline):\n  {}", attacks.size(),
            String.join("\n  ", report));

        assertThat(client.isOpen()).as("the attacked session goes on").isTrue();
        assertThat(client.answersPing("still-there")).isTrue();
        final int last = progress;
        await().atMost(Duration.ofSeconds(30)).until(() -> jobProgress(client, job).contains(last));
        assertThat(jobProgress(client, job)).containsExactlyElementsOf(IntStream.rangeClosed(0, last).boxed().toList());
        assertThat(jwks.fetches()).as("JWKS fetches (rate-limited refreshes on unknown kids)").isLessThan(10);
      }
      for (final String reason : List.of("wrong_audience", "wrong_issuer", "lifetime_too_long", "bad_subject",
          "unknown_key", "unsupported_algorithm", "bad_signature", "expired")) {
        assertThat(meters.get("tidewire.gateway.token.rejections").tag("reason", reason).counter().count())
            .as(reason).isGreaterThanOrEqualTo(2);
      }
    }
  }

  private static Gateway startGateway(final URI jwks, final SimpleMeterRegistry meters) {
    final SharedInfra infra = SharedInfra.get();
    final Map<String, String> env = new HashMap<>(TidewireStack.envFor(infra.postgres(), infra.kafka(),
        SharedStack.SECRET));
    env.put("TIDEWIRE_GATEWAY_HOST", "127.0.0.1");
    env.put("TIDEWIRE_GATEWAY_PORT", "0");
    env.put("TIDEWIRE_JWT_JWKS", jwks.toString());
    env.put("TIDEWIRE_JWT_JWKS_REFRESH_MIN_INTERVAL_SECONDS", "0");
    env.put("TIDEWIRE_JWT_ISSUER", ISSUER);
    env.put("TIDEWIRE_JWT_AUDIENCE", AUDIENCE);
    final Gateway gateway = new Gateway(GatewayConfig.fromEnv(env, TidewireSettings.ALL), meters);
    gateway.start();
    return gateway;
  }

  /** Claims a Supabase-style auth server puts in an access token for {@code user}, valid 10 minutes. */
  private static JWTClaimsSet.Builder good(final UUID user) {
    return TokenMint.claims(user.toString(), Duration.ofMinutes(10)).issuer(ISSUER).audience(AUDIENCE)
        .claim("role", "authenticated");
  }

  private static int upgrade(final URI endpoint, final String token) {
    return WsClient.upgradeStatus(endpoint, Optional.of("Bearer " + token));
  }

  private static boolean isProgress(final JsonNode frame, final UUID job, final int progress) {
    return "event".equals(frame.path("op").asText()) && job.toString().equals(frame.path("data").path("jobId").asText())
        && frame.path("data").path("progress").asInt() == progress;
  }

  private static List<Integer> jobProgress(final WsClient client, final UUID job) {
    return client.events().stream().filter(e -> job.toString().equals(e.path("data").path("jobId").asText()))
        .map(e -> e.path("data").path("progress").asInt()).toList();
  }
}
