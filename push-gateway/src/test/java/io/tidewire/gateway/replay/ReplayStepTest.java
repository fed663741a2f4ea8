package io.tidewire.gateway.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import io.tidewire.gateway.protocol.TypeFilter;
import io.tidewire.gateway.recovery.Floor;
import io.tidewire.gateway.session.ClientSession;
import io.tidewire.gateway.session.DispatchSeam;
import io.tidewire.gateway.session.EncodedEvent;
import io.tidewire.gateway.session.Hub;
import io.tidewire.gateway.session.ReplayRead;
import io.tidewire.gateway.session.ReplayResult;
import io.tidewire.gateway.session.Replays;
import io.tidewire.gateway.session.SessionContext;
import io.tidewire.gateway.session.SubscriptionId;
import io.tidewire.gateway.testing.Events;
import io.tidewire.gateway.testing.FakeRecovery;
import io.tidewire.gateway.testing.FakeTransport;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.testing.Tokens;
import io.tidewire.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Replays as a client sees them, with the replay worker's step performed by the test one read at a
 * time against an in-memory log: bounded batches, only the owner's events, live events merged at
 * the seam, a full queue pausing the replay, cursors outside the log, truncation, transient
 * failures, cancellation.
 */
class ReplayStepTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Uuid TOPIC = Uuid.randomUuid();
  private static final String TOPIC_NAME = Topics.USER_EVENTS.name();
  private static final int PARTITION = Topics.partitionOf("alice", 3);

  private final ScheduledExecutorService timer = TestKit.daemonTimer();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(registry);
  private final FakeRecovery recovery = new FakeRecovery();
  private final FakePartitionReader log = new FakePartitionReader(100);
  private final ReplayStep step = new ReplayStep(metrics, TestKit.CURSORS);
  private int answered;
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
  private ClientSession resume(final FakeTransport transport, final long from, final int queueMessages,
      final Duration recoveryTimeout) {
    hub = new Hub(DispatchSeam.fixed(Cursor.of(TOPIC, 0, PARTITION, seam)),
        DispatchSeam.fixed(Cursor.of(TOPIC, 0, 0, 0)));
    final SessionContext context = new SessionContext(hub, recovery,
        new JwtVerifier(Tokens.SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC(), Duration.ZERO),
        metrics, timer, Clock.systemUTC(), 4096, queueMessages, 10_000_000, Duration.ofMillis(200),
        recoveryTimeout, TestKit.CURSORS);
    final ClientSession session = new ClientSession(transport,
        new Principal("alice", Instant.now().plusSeconds(3600)), context);
    session.open();
    session.onText("{\"op\":\"subscribe\",\"ref\":\"r\",\"channel\":\"user\",\"cursor\":\""
        + TestKit.CURSORS.encode(Cursor.of(TOPIC, Cursor.scopeOf("alice"), PARTITION, from)) + "\"}");
    return session;
  }

  private ClientSession resume(final FakeTransport transport, final long from, final int queueMessages) {
    return resume(transport, from, queueMessages, Duration.ofSeconds(30));
  }

  /** Performs the oldest read that is out, as a worker would; false if none is. */
  private boolean stepOnce() {
    final List<FakeRecovery.ReadRequest> reads = recovery.reads();
    if (answered == reads.size()) {
      return false;
    }
    final FakeRecovery.ReadRequest read = reads.get(answered++);
    read.answer(step.perform(read.read(), log));
    return true;
  }

  /** Performs reads until none is out (the replay is live, parked or over); returns how many. */
  private int run() {
    int steps = 0;
    while (stepOnce()) {
      steps++;
      assertThat(steps).isLessThan(10_000);
    }
    return steps;
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
  void readsInBoundedBatchesOneReadPerTurnAndDeliversOnlyTheOwnersEvents() {
    write(1_200);
    final FakeTransport transport = new FakeTransport(true);
    resume(transport, 0, 10_000);

    assertThat(run()).isEqualTo(13); // the check, then one read per batch, each a turn of its own

    assertThat(recovery.reads().get(0).read()).isInstanceOf(ReplayRead.Check.class);
    assertThat(log.readSizes()).hasSize(12).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(100));
    final List<JsonNode> frames = frames(transport);
    assertThat(frames.get(0).get("op").textValue()).isEqualTo("subscribed");
    assertThat(frames.get(0).get("recovered").booleanValue()).isTrue();
    assertThat(eventIds(transport)).containsExactlyElementsOf(aliceIds(0, 1_200));
    // each replayed event carries its own cursor: resuming from it continues right after it
    assertThat(TestKit.CURSORS.decode(frames.get(1).get("cursor").textValue()))
        .isEqualTo(Cursor.of(TOPIC, Cursor.scopeOf("alice"), PARTITION, 1));
    assertThat(recovery.finished()).containsExactly(Replays.Outcome.LIVE);
  }

  @Test
  void eventsArrivingDuringTheReplayFollowItOnceWithoutGapOrDuplicate() {
    write(400);
    final FakeTransport transport = new FakeTransport(true);
    resume(transport, 100, 10_000);
    stepOnce(); // checks the cursor
    stepOnce(); // reads the first batch
    // live events after the seam (400, 402) while the replay is still going
    write(4);
    hub.deliverToUser("alice", live(400));
    hub.deliverToUser("alice", live(402));

    run();
    write(2);
    hub.deliverToUser("alice", live(404));

    assertThat(eventIds(transport)).containsExactlyElementsOf(aliceIds(100, 406));
  }

  @Test
  void fullQueuePausesTheReplayInsteadOfOverflowingIt() {
    write(200);
    final FakeTransport transport = new FakeTransport(false); // the client reads only when told
    resume(transport, 0, 10);

    run();
    final int reads = log.readSizes().size();
    assertThat(run()).isZero(); // parked: nothing is read while the queue is full
    assertThat(log.readSizes()).hasSize(reads);

    // the client reads: each time the queue drains, the replay goes on
    while (!recovery.finished().contains(Replays.Outcome.LIVE)) {
      while (transport.completeNext()) {
        // drain
      }
      run();
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
    resume(transport, 10, 100);

    assertThat(run()).isEqualTo(1);

    assertThat(recovery.snapshots()).extracting(FakeRecovery.SnapshotRequest::userId).containsExactly("alice");
    assertThat(transport.sent()).isEmpty(); // subscribed comes with the snapshot
    assertThat(recovery.finished()).containsExactly(Replays.Outcome.UNRECOVERABLE);
    assertThat(registry.get("tidewire.gateway.unrecoverable.cursors").tag("reason", "retention")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void cursorPastTheEndOfTheLogIsUnrecoverableToo() {
    write(50);
    final FakeTransport transport = new FakeTransport(true);
    resume(transport, 90, 100);

    assertThat(run()).isEqualTo(1);

    assertThat(recovery.snapshots()).hasSize(1);
    assertThat(registry.get("tidewire.gateway.unrecoverable.cursors").tag("reason", "ahead_of_log")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void truncationAfterRecoveredTrueEndsTheConnectionSoTheClientResumesAfresh() {
    write(300);
    final FakeTransport transport = new FakeTransport(true);
    resume(transport, 0, 10_000);
    stepOnce();
    stepOnce();

    log.truncateOnNextRead();

    assertThat(run()).isEqualTo(1);
    assertThat(transport.closed()).contains(CloseCode.INTERNAL_ERROR);
    assertThat(frames(transport)).last().satisfies(f -> {
      assertThat(f.get("code").textValue()).isEqualTo("internal");
      assertThat(f.has("ref")).isFalse();
    });
    assertThat(recovery.finished()).containsExactly(Replays.Outcome.FAILED);
  }

  @Test
  void transientFailuresAreRetriedUntilTheRecoveryTimeout() {
    write(300);
    final FakeTransport transport = new FakeTransport(true);
    resume(transport, 0, 10_000, Duration.ofMillis(300));
    log.failNext(1_000_000);
    stepOnce(); // the check succeeds; subscribed goes out

    assertThat(stepOnce()).isTrue();
    assertThat(stepOnce()).isTrue(); // failed, asked again

    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> {
      stepOnce();
      return transport.closed().isPresent();
    });
    assertThat(transport.closed()).contains(CloseCode.INTERNAL_ERROR);
    assertThat(frames(transport)).last().satisfies(f ->
        assertThat(f.get("message").textValue()).startsWith("cannot read the log: Kafka did not answer"));
  }

  @Test
  void unsubscribeStopsTheReplayAndReleasesItsAdmission() {
    write(300);
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = resume(transport, 0, 10_000);
    stepOnce();
    stepOnce(); // the next read is out now

    session.onText("{\"op\":\"unsubscribe\",\"ref\":\"u\",\"channel\":\"user\"}");

    assertThat(recovery.admitted()).isEqualTo(1); // until the read that is out returns
    assertThat(run()).isEqualTo(1);
    assertThat(recovery.finished()).containsExactly(Replays.Outcome.CANCELLED);
    assertThat(recovery.admitted()).isZero();
  }

  @Test
  void workerTurnsEveryFailureIntoAResultThatKeepsTheExceptionTextFromClients() {
    final ReplayRead.Batch read = new ReplayRead.Batch(
        new SubscriptionId(Channel.Kind.USER, 1), Optional.of("alice"), TypeFilter.all(), TOPIC,
        Floor.of(Map.of(PARTITION, 0L)), Map.of(PARTITION, 0L));

    log.failNext(1);
    assertThat(step.perform(read, log)).isEqualTo(
        new ReplayResult.Failed(read.id(), "Kafka did not answer", true)); // not "broker unavailable"
    log.truncateOnNextRead();
    assertThat(step.perform(read, log)).isEqualTo(new ReplayResult.Truncated(read.id()));
  }
}
