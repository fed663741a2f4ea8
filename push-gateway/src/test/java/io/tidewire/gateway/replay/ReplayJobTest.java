package io.tidewire.gateway.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.gateway.session.ClientSession;
import io.tidewire.gateway.session.DispatchSeam;
import io.tidewire.gateway.session.EncodedEvent;
import io.tidewire.gateway.session.Hub;
import io.tidewire.gateway.session.SessionContext;
import io.tidewire.gateway.session.Subscription;
import io.tidewire.gateway.tail.EventCodec;
import io.tidewire.gateway.testing.Events;
import io.tidewire.gateway.testing.FakeRecovery;
import io.tidewire.gateway.testing.FakeTransport;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.testing.Tokens;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import io.tidewire.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplayJobTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Uuid TOPIC = Uuid.randomUuid();
  private static final String TOPIC_NAME = Topics.USER_EVENTS.name();
  private static final int PARTITION = Topics.partitionOf("alice", 3);
  private static final Duration STALL = Duration.ofSeconds(5);

  private final ScheduledExecutorService timer = TestKit.daemonTimer();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(registry);
  private final FakeRecovery recovery = new FakeRecovery();
  private final AtomicLong nanos = new AtomicLong();
  private final FakePartitionReader log = new FakePartitionReader(100);
  private long seam;
  private Hub hub;

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  /** Writes {@code count} records to the user's partition, alternating alice and bob. */
  private void write(final int count) {
    for (int i = 0; i < count; i++) {
      final String user = i % 2 == 0 ? "alice" : "bob";
      final long offset = seam++;
      log.append(new ConsumerRecord<>(TOPIC_NAME, PARTITION, offset,
          user.getBytes(StandardCharsets.UTF_8), Topics.USER_EVENTS.valueSerde().serializer()
              .serialize(TOPIC_NAME, Events.progress(user, user + "-" + offset, 1))));
    }
  }

  /** Opens alice's session (queue of {@code queueMessages}) and subscribes from {@code from}. */
  private Subscription resume(final FakeTransport transport, final long from, final int queueMessages) {
    hub = new Hub(DispatchSeam.fixed(Cursor.of(TOPIC, 0, PARTITION, seam)),
        DispatchSeam.fixed(Cursor.of(TOPIC, 0, 0, 0)));
    final SessionContext context = new SessionContext(hub, recovery,
        new JwtVerifier(Tokens.SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC(), Duration.ZERO),
        metrics, timer, Clock.systemUTC(), 4096, queueMessages, 10_000_000, Duration.ofMillis(200));
    final ClientSession session = new ClientSession(transport,
        new Principal("alice", Instant.now().plusSeconds(3600)), context);
    session.open();
    session.onText("{\"op\":\"subscribe\",\"ref\":\"r\",\"channel\":\"user\",\"cursor\":\""
        + CursorCodec.encode(Cursor.of(TOPIC, Cursor.scopeOf("alice"), PARTITION, from)) + "\"}");
    return recovery.replays().get(0);
  }

  private ReplayJob job(final Subscription subscription) {
    return new ReplayJob(subscription, EventCodec.userEvents(), metrics, nanos::get, STALL);
  }

  /** Steps until done (or parked), collecting the outcomes. */
  private static List<ReplayJob.Outcome> run(final ReplayJob job, final PartitionReader reader) {
    final List<ReplayJob.Outcome> outcomes = new ArrayList<>();
    ReplayJob.Outcome outcome;
    do {
      outcome = job.step(reader);
      outcomes.add(outcome);
    } while (outcome == ReplayJob.Outcome.CONTINUE && outcomes.size() < 10_000);
    return outcomes;
  }

  private static List<JsonNode> frames(final FakeTransport transport) {
    return transport.sent().stream().map(text -> {
      try {
        return JSON.readTree(text);
      } catch (Exception e) {
        return JSON.createObjectNode().put("raw", text);
      }
    }).toList();
  }

  private static List<String> eventIds(final FakeTransport transport) {
    return frames(transport).stream().filter(f -> "event".equals(f.path("op").textValue()))
        .map(f -> f.get("id").textValue()).toList();
  }

  private static List<String> aliceIds(final long from, final long to) {
    final List<String> ids = new ArrayList<>();
    for (long o = from; o < to; o++) {
      if (o % 2 == 0) {
        ids.add("alice-" + o);
      }
    }
    return ids;
  }

  private EncodedEvent live(final long offset) {
    return EncodedEvent.of(Optional.of("alice"), "generation.progress", PARTITION, offset,
        "{\"op\":\"event\",\"id\":\"alice-" + offset + "\"}");
  }

  @Test
  void readsInBoundedBatchesYieldingBetweenThemAndDeliversOnlyTheOwnersEvents() {
    write(1_200);
    final FakeTransport transport = new FakeTransport(true);
    final Subscription subscription = resume(transport, 0, 10_000);

    final List<ReplayJob.Outcome> outcomes = run(job(subscription), log);

    assertThat(log.readSizes()).hasSize(12).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(100));
    assertThat(outcomes).hasSize(12).endsWith(ReplayJob.Outcome.DONE)
        .filteredOn(o -> o == ReplayJob.Outcome.CONTINUE).hasSize(11);
    final List<JsonNode> frames = frames(transport);
    assertThat(frames.get(0).get("op").textValue()).isEqualTo("subscribed");
    assertThat(frames.get(0).get("recovered").booleanValue()).isTrue();
    assertThat(eventIds(transport)).containsExactlyElementsOf(aliceIds(0, 1_200));
    // each replayed event carries its own cursor: resuming from it continues right after it
    assertThat(CursorCodec.decode(frames.get(1).get("cursor").textValue()))
        .isEqualTo(Cursor.of(TOPIC, Cursor.scopeOf("alice"), PARTITION, 1));
    assertThat(subscription.mode()).isEqualTo(Subscription.Mode.LIVE);
  }

  @Test
  void eventsArrivingDuringTheReplayFollowItOnceWithoutGapOrDuplicate() {
    write(400);
    final FakeTransport transport = new FakeTransport(true);
    final Subscription subscription = resume(transport, 100, 10_000);
    final ReplayJob job = job(subscription);
    job.step(log); // checks the cursor, reads the first batch
    // live events after the seam (400, 402) while the replay is still going
    write(4);
    hub.deliverToUser("alice", live(400));
    hub.deliverToUser("alice", live(402));

    run(job, log);
    write(2);
    hub.deliverToUser("alice", live(404));

    assertThat(eventIds(transport)).containsExactlyElementsOf(aliceIds(100, 406));
  }

  @Test
  void fullQueuePausesTheReplayInsteadOfOverflowingIt() {
    write(200);
    final FakeTransport transport = new FakeTransport(false); // the client reads only when told
    final Subscription subscription = resume(transport, 0, 10);
    final ReplayJob job = job(subscription);

    final List<ReplayJob.Outcome> outcomes = run(job, log);
    assertThat(outcomes).last().isEqualTo(ReplayJob.Outcome.PARK);
    final int reads = log.readSizes().size();
    assertThat(job.step(log)).isEqualTo(ReplayJob.Outcome.PARK); // still full: nothing read
    assertThat(log.readSizes()).hasSize(reads);

    // the client reads: each time the queue drains, the replay goes on
    while (subscription.mode() == Subscription.Mode.RECOVERING) {
      while (transport.completeNext()) {
        // drain
      }
      run(job, log);
    }
    while (transport.completeNext()) {
      // drain
    }

    assertThat(eventIds(transport)).containsExactlyElementsOf(aliceIds(0, 200));
    assertThat(transport.closed()).isEmpty();
    assertThat(registry.get("tidewire.gateway.slow.consumer.disconnects").counter().count()).isZero();
  }

  @Test
  void cursorBelowTheLogStartGetsRecoveredFalseAndASnapshot() {
    write(50);
    log.deleteBefore(PARTITION, 20);
    final FakeTransport transport = new FakeTransport(true);

    assertThat(job(resume(transport, 10, 100)).step(log)).isEqualTo(ReplayJob.Outcome.DONE);

    assertThat(recovery.snapshots()).extracting(FakeRecovery.SnapshotRequest::userId).containsExactly("alice");
    assertThat(transport.sent()).isEmpty(); // subscribed comes with the snapshot
    assertThat(registry.get("tidewire.gateway.unrecoverable.cursors").tag("reason", "retention")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void cursorPastTheEndOfTheLogIsUnrecoverableToo() {
    write(50);
    final FakeTransport transport = new FakeTransport(true);

    assertThat(job(resume(transport, 90, 100)).step(log)).isEqualTo(ReplayJob.Outcome.DONE);

    assertThat(recovery.snapshots()).hasSize(1);
    assertThat(registry.get("tidewire.gateway.unrecoverable.cursors").tag("reason", "ahead_of_log")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void truncationAfterRecoveredTrueEndsTheConnectionSoTheClientResumesAfresh() {
    write(300);
    final FakeTransport transport = new FakeTransport(true);
    final ReplayJob job = job(resume(transport, 0, 10_000));
    assertThat(job.step(log)).isEqualTo(ReplayJob.Outcome.CONTINUE);

    log.truncateOnNextRead();

    assertThat(job.step(log)).isEqualTo(ReplayJob.Outcome.DONE);
    assertThat(transport.closed()).contains(CloseCode.INTERNAL_ERROR);
    assertThat(frames(transport)).last().satisfies(f -> {
      assertThat(f.get("code").textValue()).isEqualTo("internal");
      assertThat(f.has("ref")).isFalse();
    });
  }

  @Test
  void transientFailuresAreRetriedUntilTheStallTimeout() {
    write(300);
    final FakeTransport transport = new FakeTransport(true);
    final ReplayJob job = job(resume(transport, 0, 10_000));
    log.failNext(1_000);

    assertThat(job.step(log)).isEqualTo(ReplayJob.Outcome.CONTINUE);
    assertThat(job.step(log)).isEqualTo(ReplayJob.Outcome.CONTINUE);
    nanos.addAndGet(STALL.toNanos() + 1);

    assertThat(job.step(log)).isEqualTo(ReplayJob.Outcome.DONE);
    assertThat(transport.closed()).contains(CloseCode.INTERNAL_ERROR);
  }

  @Test
  void unsubscribeStopsTheReplay() {
    write(300);
    final FakeTransport transport = new FakeTransport(true);
    final Subscription subscription = resume(transport, 0, 10_000);
    final ReplayJob job = job(subscription);
    job.step(log);

    subscription.cancel();

    assertThat(job.step(log)).isEqualTo(ReplayJob.Outcome.DONE);
  }
}
