package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidewire.gateway.Gateway;
import io.tidewire.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hostile clients against the client-ops and replay limits (issue 12, item 2): a frame flood, one
 * user taking the replay slots, a tampered cursor, and a cursor carried to another gateway of the
 * deployment. Throughout each attack a well-behaved client of another user receives its events;
 * their order is asserted, their latency (commit to receipt) printed, not asserted.
 */
class HostileClientOpsIT {

  private static final Logger LOG = LoggerFactory.getLogger(HostileClientOpsIT.class);
  private static final SharedStack STACK = SharedStack.get();

  /**
   * A well-behaved client: subscribed to its user channel while its balance is updated every 200 ms
   * (one row, so the events' order is the commits' order); on close it waits for every update's
   * {@code credits.updated}, checks their order and prints the latencies.
   */
  private static final class Bystander implements AutoCloseable {
    private final String attack;
    private final UUID user;
    private final WsClient client;
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
    private final List<Long> balances = new CopyOnWriteArrayList<>();
    private final Map<Long, Long> updatedAt = new ConcurrentHashMap<>();
    private long next = 1_000;

    Bystander(final String attack) throws Exception {
      this.attack = attack;
      this.user = STACK.newUser();
      this.client = STACK.connect(user);
      client.subscribe("b", "user");
      writer.scheduleWithFixedDelay(this::update, 0, 200, TimeUnit.MILLISECONDS);
    }

    private void update() {
      final long balance = next++;
      try {
        final long before = System.nanoTime();
        STACK.sql("UPDATE users SET credits = ? WHERE id = ?", balance, user);
        updatedAt.put(balance, before);
        balances.add(balance);
      } catch (Exception e) {
        LOG.warn("bystander update failed", e);
      }
    }

    @Override
    public void close() throws Exception {
      writer.shutdown();
      writer.awaitTermination(10, TimeUnit.SECONDS);
      try (client) {
        await().atMost(Duration.ofSeconds(60)).until(() -> credits().size() >= balances.size());
        assertThat(credits().stream().map(e -> e.path("data").path("balance").asLong()).toList())
            .as("the bystander's balances, in commit order").containsExactlyElementsOf(balances);
        final List<Long> millis = new ArrayList<>();
        for (final JsonNode event : credits()) {
          millis.add(TimeUnit.NANOSECONDS.toMillis(client.receivedAt(event)
              - updatedAt.get(event.path("data").path("balance").asLong())));
        }
        millis.sort(Long::compare);
        final String line = String.format("[hostile-ops] during %s: the well-behaved client got %d events in"
            + " order, latency commit->receipt p50 %d ms, p99 %d ms, max %d ms", attack, millis.size(),
            millis.get(millis.size() / 2), millis.get(Math.min(millis.size() - 1, millis.size() * 99 / 100)),
            millis.get(millis.size() - 1));
        System.out.println(line);
        LOG.info(line);
      }
    }

    /** The {@code credits.updated} events of this client's updates. */
    private List<JsonNode> credits() {
      return client.events().stream().filter(e -> "credits.updated".equals(e.path("type").textValue())
          && updatedAt.containsKey(e.path("data").path("balance").asLong())).toList();
    }
  }

  private static double meter(final String name) {
    return STACK.gatewayMeters().find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void aThousandSubscribesPerSecondAreRateLimitedThenTheConnectionIsClosedWith4029() throws Exception {
    try (Bystander bystander = new Bystander("a 1,000 subscribes/s flood")) {
      final UUID mallory = STACK.newUser();
      try (WsClient flood = STACK.connect(mallory)) {
        final long start = System.nanoTime();
        int sent = 0;
        // 1,000 a second (one every millisecond, as far as this client keeps up), until the gateway
        // closes the connection, or 20 s.
        while (flood.isOpen() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
          final long due = start + sent * 1_000_000L;
          while (System.nanoTime() < due) {
            Thread.onSpinWait();
          }
          try {
            flood.send("{\"op\":\"subscribe\",\"ref\":\"f" + sent + "\",\"channel\":\"feed\"}");
          } catch (RuntimeException e) {
            break; // closed under our feet
          }
          sent++;
        }
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("[hostile-ops] flood: %d subscribes sent in %d ms (%d/s)%n", sent, tookMs,
            sent * 1000L / Math.max(1, tookMs));
        final int code = flood.awaitClose();
        final long limited = flood.frames().stream()
            .filter(f -> "rate_limited".equals(f.path("code").textValue())).count();
        final long subscribed = flood.frames().stream()
            .filter(f -> "subscribed".equals(f.path("op").textValue())).count();
        System.out.printf("[hostile-ops] flood: %d performed, %d rate_limited, closed with %d%n", subscribed,
            limited, code);

        assertThat(code).isEqualTo(4029);
        assertThat(limited).isGreaterThan(0);
        // the burst (50) and what the rate (20/s) refilled meanwhile
        assertThat(subscribed).isLessThanOrEqualTo(50 + 20 * (tookMs / 1000 + 1));
        assertThat(flood.frames()).last().satisfies(last -> {
          assertThat(last.path("code").textValue()).isEqualTo("rate_limited");
          assertThat(last.has("ref")).isFalse();
        });
      }
      assertThat(meter("tidewire.gateway.rate.limited.disconnects")).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void oneUserTakingEveryReplaySlotDoesNotDelayAnotherUsersResume() throws Exception {
    try (Bystander bystander = new Bystander("one user's replay storm")) {
      final UUID mallory = STACK.newUser();
      final UUID alice = STACK.newUser();
      final String malloryCursor;
      final String aliceCursor;
      try (WsClient m = STACK.connect(mallory); WsClient a = STACK.connect(alice)) {
        malloryCursor = m.subscribe("s", "user").path("cursor").textValue();
        aliceCursor = a.subscribe("s", "user").path("cursor").textValue();
        for (int i = 0; i < 20; i++) {
          STACK.sql("INSERT INTO generation_jobs (user_id) VALUES (?)", mallory);
        }
        final UUID last = UUID.randomUUID();
        STACK.sql("INSERT INTO generation_jobs (id, user_id) VALUES (?, ?)", last, alice);
        a.awaitFrame(f -> last.toString().equals(f.path("data").path("jobId").asText()));
        await().atMost(Duration.ofSeconds(60)).until(() -> m.events().size() >= 20);
      }
      // Mallory resumes from 10 connections at once, over and over; Alice resumes once meanwhile.
      final List<WsClient> storm = new ArrayList<>();
      try {
        for (int i = 0; i < 10; i++) {
          storm.add(STACK.connect(mallory));
        }
        for (int round = 0; round < 3; round++) {
          for (final WsClient m : storm) {
            m.send("{\"op\":\"subscribe\",\"ref\":\"r" + round + "\",\"channel\":\"user\",\"cursor\":\""
                + malloryCursor + "\"}");
          }
        }
        final long start = System.nanoTime();
        try (WsClient a = STACK.connect(alice)) {
          a.send("{\"op\":\"subscribe\",\"ref\":\"resume\",\"channel\":\"user\",\"cursor\":\"" + aliceCursor + "\"}");
          final JsonNode reply = a.reply("resume");
          await().atMost(Duration.ofSeconds(30)).until(() -> !a.events().isEmpty());
          final long tookMs = TimeUnit.NANOSECONDS.toMillis(a.receivedAt(a.events().get(0)) - start);
          final long refused = storm.stream().flatMap(m -> m.frames().stream())
              .filter(f -> "rate_limited".equals(f.path("code").textValue())).count();
          System.out.printf("[hostile-ops] replay storm: mallory sent 30 resumes from 10 connections, %d got"
              + " rate_limited; alice's resume (subscribed + replayed event) took %d ms%n", refused, tookMs);

          assertThat(reply.path("op").textValue()).isEqualTo("subscribed");
          assertThat(reply.path("recovered").booleanValue()).isTrue();
          assertThat(refused).isGreaterThan(0);
        }
      } finally {
        storm.forEach(WsClient::close);
      }
    }
  }

  @Test
  void aTamperedCursorGetsBadRequestAndTheConnectionStays() throws Exception {
    try (Bystander bystander = new Bystander("tampered cursors")) {
      final UUID user = STACK.newUser();
      try (WsClient client = STACK.connect(user)) {
        final String genuine = client.subscribe("s", "user").path("cursor").textValue();
        final byte[] raw = Base64.getUrlDecoder().decode(genuine.substring(3));
        final double before = meter("tidewire.gateway.cursors.tampered");
        for (int i = 0; i < raw.length; i += 5) {
          final byte[] tampered = raw.clone();
          tampered[i] ^= 0x01;
          final String ref = "t" + i;
          client.send("{\"op\":\"subscribe\",\"ref\":\"" + ref + "\",\"channel\":\"user\",\"cursor\":\"v3."
              + Base64.getUrlEncoder().withoutPadding().encodeToString(tampered) + "\"}");
          assertThat(client.reply(ref).path("code").textValue()).as("byte %d", i).isEqualTo("bad_request");
        }
        assertThat(client.answersPing("p")).isTrue();
        assertThat(meter("tidewire.gateway.cursors.tampered") - before).isGreaterThanOrEqualTo(raw.length / 5);
        System.out.printf("[hostile-ops] tampered cursors: %d edits, each bad_request, connection open%n",
            (raw.length + 4) / 5);
      }
    }
  }

  @Test
  void aCursorFromAnotherGatewayOfTheDeploymentResumesWithoutAGap() throws Exception {
    try (Bystander bystander = new Bystander("resume across gateways")) {
      final UUID user = STACK.newUser();
      final String cursor;
      try (Gateway other = STACK.anotherGateway();
           WsClient there = WsClient.connect(WsClient.endpoint(other.port()), STACK.token(user))) {
        there.subscribe("s", "user");
        STACK.sql("UPDATE users SET credits = 1 WHERE id = ?", user);
        final JsonNode event = there.awaitFrame(f -> "credits.updated".equals(f.path("type").textValue())
            && f.path("data").path("balance").asLong() == 1);
        cursor = event.path("cursor").textValue();
      }
      for (long balance = 2; balance <= 4; balance++) {
        STACK.sql("UPDATE users SET credits = ? WHERE id = ?", balance, user);
      }
      try (WsClient here = STACK.connect(user)) {
        here.send("{\"op\":\"subscribe\",\"ref\":\"r\",\"channel\":\"user\",\"cursor\":\"" + cursor + "\"}");
        assertThat(here.reply("r").path("recovered").booleanValue()).isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() -> here.events().stream()
            .filter(e -> "credits.updated".equals(e.path("type").textValue())).count() >= 3);
        assertThat(here.events().stream().filter(e -> "credits.updated".equals(e.path("type").textValue()))
            .map(e -> e.path("data").path("balance").asLong()).toList()).containsExactly(2L, 3L, 4L);
      }
      System.out.println("[hostile-ops] a cursor issued by a second gateway resumed on the first: recovered,"
          + " no gap");
    }
  }
}
