package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery guarantee under disruption, checked with a {@link Ledger}: the test commits a
 * known sequence of changes for several users while a part crashes, restarts or the network
 * drops, and every client — a real {@code TidewireClient} that reconnects and resumes from its
 * last handled cursor — must see each of its own changes exactly once (after de-duplication by
 * event id), in per-row commit order, and nothing of anyone else's.
 *
 * <p>Crashes are real: the capture and the processor run as child JVMs and get SIGKILL (no
 * shutdown hook, no offset flush, no transaction commit). The gateway restart is a graceful stop
 * of the in-process gateway (clients see 1001) and a new gateway on the same port.
 */
class ReliableDeliveryIT {

  private static final Logger LOG = LoggerFactory.getLogger(ReliableDeliveryIT.class);
  private static final SharedStack STACK = SharedStack.get();
  private static final int USERS = 4;
  private static final int CHANGES_PER_USER = 60;

  @Test
  void resumesWithoutGapAfterReconnect() throws Exception {
    try (CuttableProxy proxy = new CuttableProxy(STACK.gatewayPort())) {
      final URI endpoint = URI.create("ws://127.0.0.1:" + proxy.port() + "/v1/realtime");
      runLedger("network drop", endpoint, writer -> {
        writer.awaitCommitted(CHANGES_PER_USER / 3);
        proxy.offline();
        writer.awaitCommitted(2 * CHANGES_PER_USER / 3); // changes continue while clients are away
        proxy.online();
      }, recorders -> assertThat(recorders).allSatisfy(r ->
          assertThat(r.connects()).as("reconnected").isGreaterThanOrEqualTo(2)));
    }
  }

  @Test
  void survivesCaptureCrash() throws Exception {
    runLedger("capture SIGKILL", STACK.endpoint(), writer -> {
      writer.awaitCommitted(CHANGES_PER_USER / 3);
      STACK.capture().crash();
      writer.awaitCommitted(2 * CHANGES_PER_USER / 3);
      STACK.capture().start();
    }, recorders -> { });
  }

  @Test
  void survivesProcessorCrash() throws Exception {
    runLedger("processor SIGKILL", STACK.endpoint(), writer -> {
      writer.awaitCommitted(CHANGES_PER_USER / 3);
      STACK.processor().crash();
      writer.awaitCommitted(2 * CHANGES_PER_USER / 3);
      STACK.processor().start();
    }, recorders -> { });
  }

  @Test
  void survivesGatewayRestart() throws Exception {
    runLedger("gateway restart", STACK.endpoint(), writer -> {
      writer.awaitCommitted(CHANGES_PER_USER / 3);
      STACK.restartGateway();
    }, recorders -> assertThat(recorders).allSatisfy(r ->
        assertThat(r.connects()).as("reconnected").isGreaterThanOrEqualTo(2)));
  }

  @Test
  void catchesUpTenThousandMissedEvents() throws Exception {
    final UUID user = STACK.newUser();
    final int missed = 10_000;
    try (Recorder otherTab = new Recorder(STACK.endpoint(), user, Optional.empty())) {
      final Optional<String> cursor;
      try (Recorder offline = new Recorder(STACK.endpoint(), user, Optional.empty())) {
        STACK.sql("INSERT INTO generation_jobs (user_id) VALUES (?)", user);
        // each insert is a generation.progress and (TIDEWIRE_PROCESSOR_ROW_CHANGES) a row event
        await().atMost(Duration.ofSeconds(60)).until(() -> jobEvents(offline).size() == 2);
        cursor = offline.cursor();
      }
      STACK.sql("INSERT INTO generation_jobs (user_id, progress) SELECT ?, g % 100 "
          + "FROM generate_series(1, ?) g", user, missed);
      // the tab that stayed online proves every missed event is in Kafka: what follows times
      // the catch-up alone
      await().atMost(Duration.ofMinutes(4)).until(() -> jobEvents(otherTab).size() >= 2 * (missed + 1));

      final long start = System.nanoTime();
      try (Recorder back = new Recorder(STACK.endpoint(), user, cursor)) {
        await().atMost(Duration.ofMinutes(4)).until(() -> jobEvents(back).size() >= 2 * missed);
        final long millis = (System.nanoTime() - start) / 1_000_000;
        LOG.info("caught up {} missed events in {} ms (connect, replay, handle)", 2 * missed, millis);
        assertThat(back.subscribed).first().satisfies(s -> assertThat(s.recovered()).isTrue());
        assertThat(back.events()).map(e -> e.path("id").asText()).doesNotHaveDuplicates();
        assertThat(jobEvents(back)).map(e -> e.path("id").asText())
            .containsExactlyElementsOf(jobEvents(otherTab).subList(2, 2 * (missed + 1)).stream()
                .map(e -> e.path("id").asText()).toList());
      }
    }
  }

  /**
   * The events of the user's generation jobs: their progress and their rows (the user's own row
   * may come too: its insert by {@code newUser} can reach a client that subscribed after it).
   */
  private static List<JsonNode> jobEvents(final Recorder recorder) {
    return recorder.events().stream().filter(e -> List.of("generation.progress", "row.generation_jobs")
        .contains(e.path("type").asText())).toList();
  }

  /** Commits CHANGES_PER_USER changes for USERS users while {@code disruption} runs. */
  private void runLedger(final String scenario, final URI endpoint,
      final Disruption disruption, final RecorderCheck extraCheck) throws Exception {
    final Ledger ledger = new Ledger(STACK);
    final List<UUID> users = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      users.add(STACK.newUser());
    }
    final Map<UUID, Recorder> recorders = new HashMap<>();
    try {
      for (final UUID u : users) {
        recorders.put(u, new Recorder(endpoint, u, Optional.empty()));
        ledger.startJob(u);
      }
      final Writer writer = new Writer(ledger, users);
      final CompletableFuture<Void> writing = writer.start();
      disruption.run(writer);
      writing.join();

      try {
        await().atMost(Duration.ofMinutes(2)).until(() -> users.stream().allMatch(u ->
            ledger.receivedCount(u, recorders.get(u).events()) >= ledger.committedCount(u)));
      } catch (ConditionTimeoutException e) {
        final StringBuilder why = new StringBuilder(scenario + ": not every change arrived\n");
        for (final UUID u : users) {
          why.append(ledger.describe(u, recorders.get(u).events())).append('\n');
        }
        throw new AssertionError(why.toString(), e);
      }
      for (final UUID u : users) {
        ledger.assertHolds(u, recorders.get(u).events());
      }
      extraCheck.check(new ArrayList<>(recorders.values()));
      final int received = recorders.values().stream().mapToInt(r -> r.events().size()).sum();
      LOG.info("{}: ledger holds for {} users, {} changes committed, {} events received "
          + "({} duplicates removed by id)", scenario, USERS, ledger.committedTotal(), received,
          received - ledger.committedTotal());
    } finally {
      recorders.values().forEach(Recorder::close);
    }
  }

  /**
   * Advances every user's job round-robin, CHANGES_PER_USER rounds, one round every 25 ms, so
   * the disruption lands while changes are in flight.
   */
  private static final class Writer {
    private final Ledger ledger;
    private final List<UUID> users;
    private final AtomicInteger rounds = new AtomicInteger();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();

    Writer(final Ledger ledger, final List<UUID> users) {
      this.ledger = ledger;
      this.users = users;
    }

    CompletableFuture<Void> start() {
      pace.scheduleAtFixedRate(this::round, 0, 25, TimeUnit.MILLISECONDS);
      return done.whenComplete((ok, error) -> pace.shutdownNow());
    }

    private void round() {
      try {
        for (final UUID u : users) {
          ledger.advance(u);
        }
        if (rounds.incrementAndGet() == CHANGES_PER_USER) {
          done.complete(null);
        }
      } catch (SQLException | RuntimeException e) {
        done.completeExceptionally(e);
      }
    }

    void awaitCommitted(final int round) {
      await().atMost(Duration.ofMinutes(1)).until(() -> rounds.get() >= round || done.isDone());
    }
  }

  @FunctionalInterface
  private interface Disruption {
    void run(Writer writer) throws Exception;
  }

  @FunctionalInterface
  private interface RecorderCheck {
    void check(List<Recorder> recorders);
  }
}
