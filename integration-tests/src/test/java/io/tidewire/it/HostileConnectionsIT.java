package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.gateway.GatewaySettings;
import io.tidewire.launcher.TidewireSettings;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.testing.WsClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hostile clients against a gateway of its own (on the shared pipeline's topics) with short limits:
 * a 2 s handshake deadline and 1 s pings, so the attacks end in seconds. Throughout, a well-behaved
 * client of another user receives an event every 200 ms; each test prints that client's
 * commit-to-receipt latency during its attack (observed, not asserted), and the class checks at
 * the end that it got every event in order. Loopback only; at most ~2,200 sockets.
 */
class HostileConnectionsIT {

  private static final Logger LOG = LoggerFactory.getLogger(HostileConnectionsIT.class);
  private static final SharedStack STACK = SharedStack.get();
  private static final Duration DEADLINE = Duration.ofSeconds(2);
  private static final int PER_USER = 100;
  private static final int IDLE_SOCKETS = 2_000;

  private static SimpleMeterRegistry meters;
  private static Gateway gateway;
  private static URI endpoint;
  private static WellBehaved bystander;

  @BeforeAll
  static void start() throws Exception {
    final Map<String, String> env = new HashMap<>();
    env.put(KafkaSettings.BOOTSTRAP.name(), STACK.kafkaBootstrap());
    env.putAll(KafkaSettings.singleBroker());
    env.put(GatewaySettings.JWT_SECRET.name(), SharedStack.SECRET);
    env.put(GatewaySettings.HOST.name(), "127.0.0.1");
    env.put(GatewaySettings.PORT.name(), "0");
    env.put(GatewaySettings.OPS_PORT.name(), "0");
    env.put(GatewaySettings.HANDSHAKE_TIMEOUT.name(), Long.toString(DEADLINE.toSeconds()));
    env.put(GatewaySettings.PING_INTERVAL.name(), "1");
    env.put(GatewaySettings.MAX_CONNECTIONS_PER_USER.name(), Integer.toString(PER_USER));
    env.put(GatewaySettings.RETRY_AFTER.name(), "5");
    env.put(GatewaySettings.CLOSE_GRACE.name(), "500");
    meters = new SimpleMeterRegistry();
    gateway = new Gateway(GatewayConfig.fromEnv(env, TidewireSettings.ALL), meters);
    gateway.start();
    endpoint = WsClient.endpoint(gateway.port());
    bystander = new WellBehaved(STACK.newUser());
    final long quiet = bystander.mark();
    await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
    bystander.report("no attack (baseline)", quiet);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (bystander != null) {
        bystander.stopAndCheckOrder();
      }
    } finally {
      if (gateway != null) {
        gateway.close();
      }
    }
  }

  private static double count(final String name) {
    return meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  @Test
  void twoThousandSilentConnectionsAreAllClosedAtTheDeadline() throws Exception {
    final long from = bystander.mark();
    final double before = count("tidewire.gateway.handshake.timeouts");
    final List<Socket> sockets = new ArrayList<>();
    try {
      final long opened = System.nanoTime();
      for (int i = 0; i < IDLE_SOCKETS; i++) {
        final Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 10_000);
        sockets.add(socket);
      }
      final long openMillis = (System.nanoTime() - opened) / 1_000_000;

      int closed = 0;
      final long waitUntil = opened + DEADLINE.plusSeconds(10).toNanos() + openMillis * 1_000_000;
      for (final Socket socket : sockets) {
        if (endsBefore(socket, waitUntil)) {
          closed++;
        }
      }
      final long allClosedMillis = (System.nanoTime() - opened) / 1_000_000;

      LOG.info("{} silent sockets opened in {} ms; {} closed by the gateway, the last {} ms after the first "
          + "was opened (deadline {} ms)", IDLE_SOCKETS, openMillis, closed, allClosedMillis, DEADLINE.toMillis());
      assertThat(closed).isEqualTo(IDLE_SOCKETS);
      assertThat(count("tidewire.gateway.handshake.timeouts") - before).isGreaterThanOrEqualTo(IDLE_SOCKETS);
    } finally {
      for (final Socket socket : sockets) {
        socket.close();
      }
    }
    bystander.report("2,000 silent connections", from);
  }

  @Test
  void slowlorisUpgradeIsClosedAtTheDeadline() throws Exception {
    final long from = bystander.mark();
    final byte[] request = WsClient.upgradeRequest(endpoint, STACK.token(UUID.randomUUID()))
        .getBytes(StandardCharsets.US_ASCII);
    final ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 10_000);
      final long connected = System.nanoTime();
      final int[] sent = {0};
      drip.scheduleAtFixedRate(() -> {
        try {
          socket.getOutputStream().write(request[sent[0]++]);
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
          throw new IllegalStateException(e); // ends the drip
        }
      }, 0, 1, TimeUnit.SECONDS);

      assertThat(endsBefore(socket, connected + DEADLINE.plusSeconds(5).toNanos())).isTrue();
      final long closedAfter = (System.nanoTime() - connected) / 1_000_000;
      LOG.info("slowloris: closed {} ms after connecting, {} bytes of {} sent (deadline {} ms)", closedAfter,
          sent[0], request.length, DEADLINE.toMillis());
      assertThat(closedAfter).isGreaterThanOrEqualTo(DEADLINE.toMillis() - 100);
    } finally {
      drip.shutdownNow();
    }
    bystander.report("slowloris upgrade", from);
  }

  @Test
  void oneTokenGetsOneHundredSessionsAndTheNextFiftyAre429WithRetryAfter() throws Exception {
    final long from = bystander.mark();
    final String token = STACK.token(STACK.newUser());
    final double before = count("tidewire.gateway.connection.refusals");
    final List<WsClient> accepted = new ArrayList<>();
    final List<String> refused = new ArrayList<>();
    try {
      for (int i = 0; i < PER_USER + 50; i++) {
        if (i < PER_USER) {
          accepted.add(WsClient.raw(endpoint, token).resume()); // reads, so it answers pings
        } else {
          refused.add(WsClient.upgradeResponseHead(endpoint, token));
        }
      }

      LOG.info("one token, {} upgrades: {} accepted, {} refused; first refusal: {}", PER_USER + 50,
          accepted.size(), refused.size(), refused.get(0).lines().findFirst().orElse(""));
      assertThat(accepted).hasSize(PER_USER);
      assertThat(refused).hasSize(50).allSatisfy(head -> assertThat(head)
          .startsWith("HTTP/1.1 429").containsIgnoringCase("Retry-After: 5"));
      assertThat(count("tidewire.gateway.connection.refusals") - before).isEqualTo(50);
      assertThat(accepted).allMatch(WsClient::isOpen);
    } finally {
      accepted.forEach(WsClient::close);
    }
    bystander.report("150 connections, one token", from);
  }

  @Test
  void clientThatStopsAnsweringPingsIsClosedAfterTwoMissedPongs() throws Exception {
    final long from = bystander.mark();
    final double before = count("tidewire.gateway.ping.timeouts");
    // a raw client reads nothing, so it answers no ping, until told to read
    try (WsClient deaf = WsClient.raw(endpoint, STACK.token(STACK.newUser()))) {
      final long opened = System.nanoTime();
      await().atMost(Duration.ofSeconds(15))
          .until(() -> count("tidewire.gateway.ping.timeouts") - before >= 1);
      final long givenUpAfter = (System.nanoTime() - opened) / 1_000_000;
      assertThat(deaf.readsToTheEnd(Duration.ofSeconds(10))).isTrue();
      LOG.info("deaf client: given up {} ms after its upgrade (pings every 1 s, 2 missed pongs allowed)",
          givenUpAfter);
    }
    assertThat(bystander.client.isOpen()).isTrue();
    bystander.report("client ignoring pings", from);
  }

  /** Whether the server closes {@code socket} (EOF or reset) before {@code untilNanos}. */
  private static boolean endsBefore(final Socket socket, final long untilNanos) throws IOException {
    final InputStream in = socket.getInputStream();
    while (true) {
      final long left = (untilNanos - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return false;
      }
      socket.setSoTimeout((int) left);
      try {
        if (in.read() < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (SocketException e) {
        return true; // reset
      }
    }
  }

  /**
   * A client that behaves: subscribed to its user channel on the test's gateway, while its user's
   * job moves one percent every 200 ms (a new job after 99 steps). Order is per job (the pipeline
   * orders each row's changes); latency is commit to receipt of each change's event.
   */
  private static final class WellBehaved {
    private static final int STEPS = 99;
    private final UUID user;
    private final WsClient client;
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
    /** "job/progress" to the commit's nanoTime. */
    private final Map<String, Long> committedAt = new ConcurrentHashMap<>();
    private final List<String> committed = new CopyOnWriteArrayList<>();
    private UUID job;
    private int progress;

    WellBehaved(final UUID user) {
      this.user = user;
      this.client = WsClient.connect(endpoint, STACK.token(user));
      client.subscribe("s", "user");
      writer.scheduleWithFixedDelay(this::commitOne, 0, 200, TimeUnit.MILLISECONDS);
      // the pipeline may still be warming up (or catching up on a loaded machine): start
      // measuring once changes arrive within a second of their commit
      try {
        await().atMost(Duration.ofMinutes(3)).until(() -> lastLatencyMillis() < 1_000);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        LOG.warn("well-behaved client: latency never fell under 1 s before the attacks (last {} ms)",
            lastLatencyMillis());
      }
    }

    /** Commit to receipt of the latest event received, in ms ({@code Long.MAX_VALUE} if none). */
    private long lastLatencyMillis() {
      final List<JsonNode> events = client.events();
      for (int i = events.size() - 1; i >= 0; i--) {
        final Long at = committedAt.get(keyOf(events.get(i)));
        if (at != null) {
          return (client.receivedAt(events.get(i)) - at) / 1_000_000;
        }
      }
      return Long.MAX_VALUE;
    }

    private void commitOne() {
      try {
        if (job == null || progress >= STEPS) {
          job = UUID.randomUUID();
          progress = 0;
          STACK.sql("INSERT INTO generation_jobs (id, user_id, status, progress) VALUES (?, ?, 'active', 0)",
              job, user);
        } else {
          progress++;
          STACK.sql("UPDATE generation_jobs SET progress = ? WHERE id = ?", progress, job);
        }
        final String key = job + "/" + progress;
        committedAt.put(key, System.nanoTime());
        committed.add(key);
      } catch (Exception e) {
        LOG.warn("well-behaved client's change failed: {}", e.toString());
      }
    }

    long mark() {
      return System.nanoTime();
    }

    /** Logs percentiles of the latency of the events committed since {@code from}. */
    void report(final String attack, final long from) {
      final long until = System.nanoTime();
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> committedAt.entrySet().stream()
            .filter(e -> e.getValue() >= from && e.getValue() <= until)
            .allMatch(e -> received().contains(e.getKey())));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        LOG.warn("LATENCY during {}: some events committed during the attack are still in flight", attack);
      }
      final long[] micros = client.events().stream()
          .filter(f -> {
            final Long at = committedAt.get(keyOf(f));
            return at != null && at >= from && at <= until;
          })
          .mapToLong(f -> (client.receivedAt(f) - committedAt.get(keyOf(f))) / 1000).sorted().toArray();
      if (micros.length == 0) {
        LOG.info("LATENCY during {}: no events", attack);
        return;
      }
      LOG.info("LATENCY during {}: {} events, commit->client p50 {} ms, p99 {} ms, max {} ms", attack,
          micros.length, micros[micros.length / 2] / 1000.0,
          micros[Math.min(micros.length - 1, (int) (micros.length * 0.99))] / 1000.0,
          micros[micros.length - 1] / 1000.0);
    }

    private List<String> received() {
      return client.events().stream().map(WellBehaved::keyOf).toList();
    }

    private static String keyOf(final JsonNode frame) {
      return frame.path("data").path("jobId").asText() + "/" + frame.path("data").path("progress").asInt();
    }

    /** Stops committing; every committed change arrived, each job's in commit order. */
    void stopAndCheckOrder() {
      writer.shutdownNow();
      try {
        writer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      final List<String> expected = List.copyOf(committed);
      await().atMost(Duration.ofSeconds(30)).until(() -> received().containsAll(expected));
      final List<String> got = received().stream().filter(committedAt::containsKey).distinct().toList();
      LOG.info("well-behaved client: {} events received, each job's in order, over the whole run", got.size());
      for (final String jobId : expected.stream().map(k -> k.split("/")[0]).distinct().toList()) {
        assertThat(got.stream().filter(k -> k.startsWith(jobId + "/")).toList()).as("changes of job %s", jobId)
            .containsExactlyElementsOf(expected.stream().filter(k -> k.startsWith(jobId + "/")).toList());
      }
      client.close();
    }
  }
}
