package io.tidewire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.auth.TokenVerdict;
import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.protocol.Channel.Kind;
import io.tidewire.gateway.protocol.ClientFrame;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import io.tidewire.gateway.protocol.ProtocolError;
import io.tidewire.gateway.protocol.Reply;
import io.tidewire.gateway.protocol.TypeFilter;
import io.tidewire.gateway.recovery.LogRange;
import io.tidewire.gateway.recovery.ResumePlan;
import io.tidewire.gateway.session.Effect.Flow;
import io.tidewire.schemas.avro.UserState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.LongStream;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The session core on its own: plain inputs in, effects out, no threads, no I/O. The seeded
 * property tests of {@link SessionCoreInterleavingTest} drive it through random interleavings.
 */
class SessionCoreTest {

  static final Uuid TOPIC = Uuid.randomUuid();
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final QueueRoom EMPTY = room(0, 100);

  private final SubscriptionId user = new SubscriptionId(Kind.USER, 1);
  private SessionCore core = core(100);

  static SessionCore core(final int bufferMessages) {
    return new SessionCore(new Principal("alice", NOW.plusSeconds(3600)),
        new SessionCore.Limits(bufferMessages, 1_000_000, TIMEOUT, Duration.ofSeconds(5)));
  }

  static QueueRoom room(final int messages, final int maxMessages) {
    return new QueueRoom(messages, 0, maxMessages, 1_000_000, false);
  }

  /** The user tail's position in alice's partition (0) at the seam. */
  static Cursor seam(final long offset) {
    return Cursor.of(TOPIC, Cursor.FEED_SCOPE, 0, offset);
  }

  static Cursor alices(final long offset) {
    return Cursor.of(TOPIC, Cursor.scopeOf("alice"), 0, offset);
  }

  static ClientFrame.Subscribe subscribe(final Optional<Cursor> cursor) {
    return new ClientFrame.Subscribe("s", Channel.parse("user").orElseThrow(), cursor, TypeFilter.all());
  }

  /** A subscribe of the user channel with {@code "snapshot": true}. */
  static ClientFrame.Subscribe askingForState(final Optional<Cursor> cursor) {
    return new ClientFrame.Subscribe("s", Channel.parse("user").orElseThrow(), cursor,
        TypeFilter.all(), false, true);
  }

  static EncodedEvent event(final String owner, final long offset) {
    return EncodedEvent.of(Optional.of(owner), "generation.progress", 0, offset, "e" + offset);
  }

  static List<EncodedEvent> events(final long from, final long to) {
    return LongStream.range(from, to).mapToObj(o -> event("alice", o)).toList();
  }

  static List<String> frames(final long from, final long to) {
    return LongStream.range(from, to).mapToObj(o -> "e" + o).toList();
  }

  /** The frames of the events among {@code effects}. */
  static List<String> delivered(final List<Effect> effects) {
    return effects.stream().filter(Effect.Deliver.class::isInstance)
        .map(e -> ((Effect.Deliver) e).event().frame()).toList();
  }

  static List<Reply> replies(final List<Effect> effects) {
    return effects.stream().filter(Effect.Send.class::isInstance)
        .map(e -> ((Effect.Send) e).reply()).toList();
  }

  static <T extends Effect> T only(final List<Effect> effects, final Class<T> type) {
    final List<Effect> found = effects.stream().filter(type::isInstance).toList();
    assertThat(found).as("one %s in %s", type.getSimpleName(), effects).hasSize(1);
    return type.cast(found.get(0));
  }

  /** Subscribes with a cursor at {@code cursor}, the tail at {@code seamOffset}; returns the check. */
  private ReplayRead.Check resume(final long cursor, final long seamOffset) {
    return only(core.joined(subscribe(Optional.of(alices(cursor))), user, seam(seamOffset), 0),
        Effect.StartReplay.class).check();
  }

  /** Answers the check with a log of {@code [0, end)}; returns the parking that follows the reply. */
  private Effect.AwaitRoom checked(final ReplayRead.Check check, final long end, final List<Effect> out) {
    out.addAll(core.replayed(new ReplayResult.Checked(check.id(), Map.of(0, new LogRange(0, end))),
        EMPTY, 0));
    return only(out, Effect.AwaitRoom.class);
  }

  /** Resumes from {@code cursor} (tail at {@code seamOffset}) up to the first batch read. */
  private ReplayRead.Batch firstRead(final long cursor, final long seamOffset, final List<Effect> out) {
    final Effect.AwaitRoom parked = checked(resume(cursor, seamOffset), 1_000, out);
    final List<Effect> room = core.room(parked.id(), parked.token(), EMPTY, 0);
    out.addAll(room);
    return (ReplayRead.Batch) only(room, Effect.Read.class).read();
  }

  private static ReplayResult.Read read(final ReplayRead.Batch batch, final List<EncodedEvent> events,
      final long reach) {
    return new ReplayResult.Read(batch.id(), events, Map.of(0, reach));
  }

  @Test
  void subscribedReplyComesFirstAndOnlyLiveEventsAboveTheSeamFollow() {
    final List<Effect> joined = core.joined(subscribe(Optional.empty()), user, seam(10), 0);

    assertThat(joined).containsExactly(new Effect.Send(new Reply.Subscribed("s",
        Channel.parse("user").orElseThrow(), false, alices(10))));
    assertThat(core.live(Kind.USER, event("alice", 9))).isEmpty(); // dispatched before the seam
    final EncodedEvent tenth = event("alice", 10);
    assertThat(core.live(Kind.USER, tenth)).containsExactly(new Effect.Deliver(tenth, Flow.LIVE));
    assertThat(core.live(Kind.USER, tenth)).isEmpty(); // never twice
  }

  @Test
  void anotherUsersEventsAreNeverDeliveredNorBuffered() {
    core.joined(subscribe(Optional.empty()), user, seam(10), 0);
    assertThat(core.live(Kind.USER, event("bob", 11))).isEmpty();
    assertThat(SessionCore.mayReceive("alice", Kind.USER, event("bob", 11))).isFalse();

    core = core(100);
    final List<Effect> out = new ArrayList<>();
    final ReplayRead.Batch batch = firstRead(5, 10, out);
    core.live(Kind.USER, event("bob", 10));
    core.live(Kind.USER, event("alice", 11));
    assertThat(batch.owner()).contains("alice"); // the worker keeps alice's records only
    assertThat(delivered(core.replayed(read(batch, events(5, 10), 10), EMPTY, 0)))
        .containsExactlyElementsOf(List.of("e5", "e6", "e7", "e8", "e9", "e11"));
  }

  @Test
  void anotherUsersChannelIsForbiddenAndTheCurrentSubscriptionStays() {
    core.joined(subscribe(Optional.empty()), user, seam(10), 0);

    final List<Effect> refused = core.request(new ClientFrame.Subscribe("t",
        Channel.parse("user:bob").orElseThrow(), Optional.empty(), TypeFilter.all()));

    assertThat(SessionCore.mayJoin("alice", Channel.parse("user:bob").orElseThrow())).isFalse();
    assertThat(replies(refused)).singleElement().isInstanceOfSatisfying(ProtocolError.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
    assertThat(delivered(core.live(Kind.USER, event("alice", 10)))).containsExactly("e10");
  }

  @Test
  void liveEventsWaitInTheBufferUntilTheReplayCatchesUp() {
    final List<Effect> out = new ArrayList<>();
    final ReplayRead.Batch batch = firstRead(5, 10, out);
    assertThat(replies(out)).containsExactly(new Reply.Subscribed("s",
        Channel.parse("user").orElseThrow(), true, alices(5)));
    assertThat(batch.from()).containsExactlyEntriesOf(Map.of(0, 5L));
    assertThat(core.live(Kind.USER, event("alice", 10))).isEmpty();
    assertThat(core.live(Kind.USER, event("alice", 11))).isEmpty();

    final List<Effect> caughtUp = core.replayed(read(batch, events(5, 10), 10), EMPTY, 0);
    final List<Effect> after = core.live(Kind.USER, event("alice", 12));

    assertThat(delivered(caughtUp)).containsExactlyElementsOf(frames(5, 12));
    assertThat(caughtUp).filteredOn(Effect.Deliver.class::isInstance)
        .allSatisfy(e -> assertThat(((Effect.Deliver) e).flow()).isEqualTo(Flow.REPLAYED));
    assertThat(only(caughtUp, Effect.EndReplay.class).outcome()).isEqualTo(Replays.Outcome.LIVE);
    assertThat(after).containsExactly(new Effect.Deliver(((Effect.Deliver) after.get(0)).event(), Flow.LIVE));
    assertThat(delivered(after)).containsExactly("e12");
  }

  @Test
  void bufferOverflowDuringRecoveryIsReadAgainFromTheLog() {
    core = core(3);
    final List<Effect> out = new ArrayList<>();
    final ReplayRead.Batch first = firstRead(5, 10, out);
    for (long o = 10; o < 16; o++) {
      core.live(Kind.USER, event("alice", o)); // 10, 11, 12 fill it; 13 drops them all; 14, 15 stay
    }

    final List<Effect> more = core.replayed(read(first, events(5, 12), 12), EMPTY, 0);
    final ReplayRead.Batch second = (ReplayRead.Batch) only(more, Effect.Read.class).read();
    final List<Effect> caughtUp = core.replayed(read(second, events(12, 14), 14), EMPTY, 0);

    assertThat(second.from()).containsExactlyEntriesOf(Map.of(0, 12L));
    assertThat(delivered(more)).containsExactlyElementsOf(frames(5, 12));
    assertThat(delivered(caughtUp)).containsExactlyElementsOf(frames(12, 16));
  }

  @Test
  void fullQueueParksTheReplayAndWhatWaitsGoesFirstWhenThereIsRoom() {
    final List<Effect> out = new ArrayList<>();
    final ReplayRead.Batch batch = firstRead(0, 10, out);

    final List<Effect> blocked = core.replayed(read(batch, events(0, 10), 10), room(6, 10), 0);
    core.live(Kind.USER, event("alice", 10));
    assertThat(delivered(blocked)).containsExactlyElementsOf(frames(0, 4)); // up to the bound
    assertThat(blocked).noneMatch(Effect.Read.class::isInstance);
    final Effect.AwaitRoom parked = only(blocked, Effect.AwaitRoom.class);
    assertThat(only(blocked, Effect.Schedule.class).timer())
        .isEqualTo(new Effect.Timer.Stall(parked.id(), parked.token()));

    final List<Effect> resumed = core.room(parked.id(), parked.token(), room(5, 10), 0);

    assertThat(delivered(resumed)).containsExactlyElementsOf(frames(4, 9));
    final Effect.AwaitRoom again = only(resumed, Effect.AwaitRoom.class);
    assertThat(delivered(core.room(again.id(), again.token(), EMPTY, 0)))
        .containsExactlyElementsOf(frames(9, 11));
  }

  @Test
  void replayDoesNotReadWhileTheQueueIsMoreThanHalfFull() {
    final List<Effect> out = new ArrayList<>();
    final Effect.AwaitRoom parked = checked(resume(0, 100), 1_000, out);

    final List<Effect> busy = core.room(parked.id(), parked.token(), room(6, 10), 0);

    assertThat(busy).noneMatch(Effect.Read.class::isInstance);
    final Effect.AwaitRoom again = only(busy, Effect.AwaitRoom.class);
    assertThat(core.room(again.id(), again.token(), room(5, 10), 0))
        .anyMatch(Effect.Read.class::isInstance);
  }

  @Test
  void staleRoomAndStallReportsAreIgnored() {
    final List<Effect> out = new ArrayList<>();
    final Effect.AwaitRoom parked = checked(resume(0, 100), 1_000, out);
    core.room(parked.id(), parked.token(), EMPTY, 0); // the room came first

    assertThat(core.room(parked.id(), parked.token(), EMPTY, 0)).isEmpty();
    assertThat(core.timer(new Effect.Timer.Stall(parked.id(), parked.token()))).isEmpty();
  }

  @Test
  void parkedReplayThatGetsNoRoomInTimeIsASlowConsumer() {
    final List<Effect> out = new ArrayList<>();
    final ReplayRead.Batch batch = firstRead(0, 100, out);
    final Effect.AwaitRoom parked = only(core.replayed(read(batch, events(0, 20), 20),
        room(10, 10), 0), Effect.AwaitRoom.class);

    final List<Effect> stalled = core.timer(new Effect.Timer.Stall(parked.id(), parked.token()));

    assertThat(stalled).contains(new Effect.Leave(parked.id()),
        new Effect.EndReplay(parked.id(), Replays.Outcome.STALLED, Duration.ZERO));
    final Effect.Terminate terminate = only(stalled, Effect.Terminate.class);
    assertThat(terminate.code()).isEqualTo(ErrorCode.SLOW_CONSUMER);
    assertThat(terminate.close()).isEqualTo(CloseCode.SLOW_CONSUMER);
    assertThat(terminate.dropPending()).isTrue();
    assertThat(core.room(parked.id(), parked.token(), EMPTY, 0)).isEmpty();
  }

  @Test
  void replayOfAClosingSessionStopsInsteadOfWaitingForRoom() {
    final List<Effect> out = new ArrayList<>();
    final ReplayRead.Batch batch = firstRead(0, 100, out);

    final List<Effect> closing = core.replayed(read(batch, events(0, 5), 5),
        new QueueRoom(10, 0, 10, 1_000_000, true), 0);

    assertThat(delivered(closing)).isEmpty();
    assertThat(only(closing, Effect.EndReplay.class).outcome()).isEqualTo(Replays.Outcome.CANCELLED);
    assertThat(closing).noneMatch(e -> e instanceof Effect.AwaitRoom || e instanceof Effect.Read);
  }

  @Test
  void liveOverflowMakesTheSessionASlowConsumerOnce() {
    core.joined(subscribe(Optional.empty()), user, seam(10), 0);

    final List<Effect> first = core.overflowed();

    assertThat(first).containsExactly(new Effect.Cancel(new Effect.Timer.Expiry(core.principal())),
        new Effect.Terminate(ErrorCode.SLOW_CONSUMER, SessionCore.SLOW_CONSUMER,
            CloseCode.SLOW_CONSUMER, true));
    assertThat(core.overflowed()).isEmpty();
    assertThat(core.close(CloseCode.SLOW_CONSUMER)).contains(new Effect.Close(CloseCode.SLOW_CONSUMER));
    assertThat(core.close(CloseCode.SLOW_CONSUMER)).isEmpty(); // drained and grace both report
  }

  @Test
  void replayWithoutProgressFailsAfterTheRecoveryTimeout() {
    final long late = TIMEOUT.toNanos() + 1;
    final ReplayRead.Check check = resume(5, 10);
    final List<Effect> retry = core.replayed(new ReplayResult.Failed(check.id(), "broker down", true),
        EMPTY, 1);
    assertThat(only(retry, Effect.Read.class).read()).isEqualTo(check);

    final List<Effect> failed = core.replayed(new ReplayResult.Failed(check.id(), "broker down", true),
        EMPTY, late);

    // before subscribed: the request gets an error, the connection stays open
    assertThat(replies(failed)).containsExactly(new ProtocolError(Optional.of("s"),
        ErrorCode.INTERNAL, "cannot read the log: broker down"));
    assertThat(failed).noneMatch(Effect.Terminate.class::isInstance)
        .contains(new Effect.Leave(check.id()))
        .contains(new Effect.EndReplay(check.id(), Replays.Outcome.FAILED, Duration.ZERO));
  }

  @Test
  void replayThatStopsMovingAfterSubscribedEndsTheConnectionWith1011() {
    final List<Effect> out = new ArrayList<>();
    final ReplayRead.Batch batch = firstRead(5, 100, out);
    final List<Effect> stuck = core.replayed(read(batch, List.of(), 5), EMPTY, TIMEOUT.toNanos() + 1);

    final Effect.Terminate terminate = only(stuck, Effect.Terminate.class);
    assertThat(terminate.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(terminate.message()).startsWith("the replay made no progress");
    assertThat(terminate.close()).isEqualTo(CloseCode.INTERNAL_ERROR);
  }

  @Test
  void truncationAfterSubscribedEndsTheConnectionSoTheClientResumesAfresh() {
    final List<Effect> out = new ArrayList<>();
    final ReplayRead.Batch batch = firstRead(5, 100, out);

    final List<Effect> truncated = core.replayed(new ReplayResult.Truncated(batch.id()), EMPTY, 0);

    final Effect.Terminate terminate = only(truncated, Effect.Terminate.class);
    assertThat(terminate.close()).isEqualTo(CloseCode.INTERNAL_ERROR);
    assertThat(terminate.dropPending()).isFalse();
    assertThat(replies(truncated)).isEmpty();
  }

  @Test
  void cursorOutsideTheLogGetsRecoveredFalseAndASnapshotBeforeTheBufferedEvents() {
    final ReplayRead.Check check = resume(5, 10);
    core.live(Kind.USER, event("alice", 10));

    final List<Effect> outside = core.replayed(new ReplayResult.Checked(check.id(),
        Map.of(0, new LogRange(8, 40))), EMPTY, 0);
    core.live(Kind.USER, event("alice", 11));
    final UserState state = UserState.newBuilder().setUserId("alice").setBalance(7L)
        .setActiveJobs(List.of()).setUpdatedAt(1L).build();
    final List<Effect> completed = core.snapshot(check.id(), Optional.of(state));

    assertThat(outside).containsExactly(
        new Effect.EndReplay(check.id(), Replays.Outcome.UNRECOVERABLE, Duration.ZERO),
        new Effect.Unrecoverable(ResumePlan.Reason.RETENTION), new Effect.TakeSnapshot(check.id()));
    assertThat(replies(completed)).containsExactly(
        new Reply.Subscribed("s", Channel.parse("user").orElseThrow(), false, alices(10)),
        new Reply.Snapshot(Kind.USER, alices(10), state));
    assertThat(delivered(completed)).containsExactly("e10", "e11");
    assertThat(delivered(core.live(Kind.USER, event("alice", 12)))).containsExactly("e12");
  }

  /** The two ways to a snapshot, with what joining says: a cursor of no use, none with "snapshot": true. */
  static List<Arguments> snapshotPaths() {
    final SubscriptionId id = new SubscriptionId(Kind.USER, 1);
    return List.of(
        Arguments.of(subscribe(Optional.of(Cursor.of(Uuid.randomUuid(), Cursor.scopeOf("alice"), 0, 3))),
            List.of(new Effect.Unrecoverable(ResumePlan.Reason.OTHER_EPOCH), new Effect.TakeSnapshot(id))),
        Arguments.of(askingForState(Optional.empty()), List.of(new Effect.TakeSnapshot(id))));
  }

  @ParameterizedTest
  @MethodSource("snapshotPaths")
  void snapshotIsTakenAgainWhenTheBufferWasDroppedMeanwhile(final ClientFrame.Subscribe request,
      final List<Effect> joining) {
    core = core(2);
    assertThat(core.joined(request, user, seam(10), 0)).containsExactlyElementsOf(joining);
    for (long o = 10; o < 14; o++) {
      core.live(Kind.USER, event("alice", o)); // 12 overflows the buffer: live now starts at 13
    }

    assertThat(core.snapshot(user, Optional.empty())).containsExactly(new Effect.TakeSnapshot(user));
    final List<Effect> completed = core.snapshot(user, Optional.empty());

    assertThat(replies(completed)).containsExactly(new Reply.Subscribed("s",
        Channel.parse("user").orElseThrow(), false, alices(13)), new Reply.Snapshot(Kind.USER, alices(13),
        UserState.newBuilder().setUserId("alice").setBalance(null).setActiveJobs(List.of())
            .setUpdatedAt(0L).build()));
    assertThat(delivered(completed)).containsExactly("e13");
  }

  @Test
  void freshSubscribeAskingForTheStateGetsSubscribedThenTheSnapshotThenTheBufferedEvents() {
    final List<Effect> joined = core.joined(askingForState(Optional.empty()), user, seam(10), 0);
    core.live(Kind.USER, event("alice", 9)); // dispatched before the seam: in the snapshot, not sent
    core.live(Kind.USER, event("alice", 10));
    core.live(Kind.USER, event("alice", 11));
    final UserState state = UserState.newBuilder().setUserId("alice").setBalance(7L)
        .setActiveJobs(List.of()).setUpdatedAt(1L).build();
    final List<Effect> completed = core.snapshot(user, Optional.of(state));

    // no replay admission, no "unrecoverable": nothing was asked to be resumed
    assertThat(joined).containsExactly(new Effect.TakeSnapshot(user));
    assertThat(replies(completed)).containsExactly(
        new Reply.Subscribed("s", Channel.parse("user").orElseThrow(), false, alices(10)),
        new Reply.Snapshot(Kind.USER, alices(10), state));
    assertThat(delivered(completed)).containsExactly("e10", "e11");
    assertThat(completed).noneMatch(Effect.EndReplay.class::isInstance);
    assertThat(delivered(core.live(Kind.USER, event("alice", 12)))).containsExactly("e12");
    assertThat(core.snapshot(user, Optional.of(state))).isEmpty(); // answered once
  }

  @Test
  void askingForTheStateWithAResumableCursorReplaysOrGoesLiveWithoutASnapshot() {
    assertThat(core.joined(askingForState(Optional.of(alices(5))), user, seam(10), 0))
        .singleElement().isInstanceOf(Effect.StartReplay.class);

    core = core(100);
    assertThat(core.joined(askingForState(Optional.of(alices(10))), user, seam(10), 0))
        .containsExactly(new Effect.Send(new Reply.Subscribed("s",
            Channel.parse("user").orElseThrow(), true, alices(10))));

    core = core(100);
    assertThat(core.joined(askingForState(Optional.of(Cursor.of(Uuid.randomUuid(),
        Cursor.scopeOf("alice"), 0, 3))), user, seam(10), 0)).containsExactly(
        new Effect.Unrecoverable(ResumePlan.Reason.OTHER_EPOCH), new Effect.TakeSnapshot(user));
  }

  @Test
  void freshSnapshotThatCannotBeTakenIsAnErrorWithTheRefAndReleasesNoAdmission() {
    core.joined(askingForState(Optional.empty()), user, seam(10), 0);

    final List<Effect> failed = core.snapshotFailed(user, "store down");

    assertThat(failed).containsExactly(new Effect.Leave(user), new Effect.Send(new ProtocolError(
        Optional.of("s"), ErrorCode.INTERNAL, "no snapshot available: store down")));
    assertThat(core.live(Kind.USER, event("alice", 10))).isEmpty();
  }

  @Test
  void unsubscribeWhileTheFreshSnapshotIsTakenDropsItsAnswer() {
    core.joined(askingForState(Optional.empty()), user, seam(10), 0);

    final List<Effect> unsubscribed = core.request(new ClientFrame.Unsubscribe("u",
        Channel.parse("user").orElseThrow()));

    assertThat(unsubscribed).containsExactly(new Effect.Leave(user), new Effect.Send(
        new Reply.Unsubscribed("u", Channel.parse("user").orElseThrow())));
    assertThat(core.snapshot(user, Optional.empty())).isEmpty();
    assertThat(core.live(Kind.USER, event("alice", 10))).isEmpty();
  }

  @Test
  void snapshotThatCannotBeTakenIsAnErrorWithTheRefAndNoSubscription() {
    core.joined(subscribe(Optional.of(Cursor.of(Uuid.randomUuid(), Cursor.scopeOf("alice"), 0, 3))),
        user, seam(10), 0);

    final List<Effect> failed = core.snapshotFailed(user, "store down");

    assertThat(failed).containsExactly(new Effect.Leave(user), new Effect.Send(new ProtocolError(
        Optional.of("s"), ErrorCode.INTERNAL, "no snapshot available: store down")));
    assertThat(core.live(Kind.USER, event("alice", 10))).isEmpty();
  }

  private static EncodedEvent inPartition(final int partition, final long offset) {
    return EncodedEvent.of(Optional.of("alice"), "generation.progress", partition, offset,
        "p" + partition + "e" + offset);
  }

  @Test
  void cursorOfThePartitionBeforeAnIncreaseReplaysItThenTheAddedOneAndGoesLiveOnBoth() {
    // alice's key hashed to partition 1; partitions were added and it hashes to 2 now (the seam).
    final Cursor before = Cursor.of(TOPIC, Cursor.scopeOf("alice"), 1, 40);
    final ReplayRead.Check check = only(core.joined(subscribe(Optional.of(before)), user,
        Cursor.of(TOPIC, Cursor.FEED_SCOPE, 2, 3), 0), Effect.StartReplay.class).check();
    assertThat(check.from()).isEqualTo(Cursor.of(TOPIC, Cursor.scopeOf("alice"), Map.of(1, 40L, 2, 0L)));
    // A producer that has not seen the new count yet still writes alice's events to partition 1.
    assertThat(core.live(Kind.USER, inPartition(1, 44))).isEmpty();

    final List<Effect> out = new ArrayList<>(core.replayed(new ReplayResult.Checked(check.id(),
        Map.of(1, new LogRange(0, 45), 2, new LogRange(0, 3))), EMPTY, 0));
    final Effect.AwaitRoom parked = only(out, Effect.AwaitRoom.class);
    final ReplayRead.Batch first = (ReplayRead.Batch) only(core.room(parked.id(), parked.token(), EMPTY, 0),
        Effect.Read.class).read();
    assertThat(first.from()).containsExactlyEntriesOf(Map.of(1, 40L)); // the old partition first
    final List<Effect> afterOld = core.replayed(new ReplayResult.Read(first.id(),
        List.of(inPartition(1, 40), inPartition(1, 42), inPartition(1, 44)), Map.of(1, 45L)), EMPTY, 0);
    final ReplayRead.Batch second = (ReplayRead.Batch) only(afterOld, Effect.Read.class).read();
    assertThat(second.from()).containsExactlyEntriesOf(Map.of(2, 0L)); // then the added one, from its start
    final List<Effect> caughtUp = core.replayed(new ReplayResult.Read(second.id(),
        List.of(inPartition(2, 0), inPartition(2, 2)), Map.of(2, 3L)), EMPTY, 0);

    assertThat(replies(out)).containsExactly(new Reply.Subscribed("s", Channel.parse("user").orElseThrow(),
        true, check.from()));
    assertThat(delivered(afterOld)).containsExactly("p1e40", "p1e42", "p1e44");
    assertThat(delivered(caughtUp)).containsExactly("p2e0", "p2e2");
    assertThat(only(caughtUp, Effect.EndReplay.class).outcome()).isEqualTo(Replays.Outcome.LIVE);
    // Live, both partitions are the user's: neither the old one's late events nor the new one's are dropped.
    assertThat(delivered(core.live(Kind.USER, inPartition(1, 44)))).isEmpty();
    assertThat(delivered(core.live(Kind.USER, inPartition(1, 47)))).containsExactly("p1e47");
    assertThat(delivered(core.live(Kind.USER, inPartition(2, 3)))).containsExactly("p2e3");
  }

  @Test
  void addedPartitionThatLostItsStartToRetentionGetsRecoveredFalseAndASnapshot() {
    final Cursor before = Cursor.of(TOPIC, Cursor.scopeOf("alice"), 1, 40);
    final ReplayRead.Check check = only(core.joined(subscribe(Optional.of(before)), user,
        Cursor.of(TOPIC, Cursor.FEED_SCOPE, 2, 30), 0), Effect.StartReplay.class).check();

    final List<Effect> out = core.replayed(new ReplayResult.Checked(check.id(),
        Map.of(1, new LogRange(0, 45), 2, new LogRange(12, 30))), EMPTY, 0);

    assertThat(out).contains(new Effect.Unrecoverable(ResumePlan.Reason.ADDED_PARTITION_TRUNCATED),
        new Effect.EndReplay(check.id(), Replays.Outcome.UNRECOVERABLE, Duration.ZERO));
    only(out, Effect.TakeSnapshot.class);
    assertThat(replies(out)).isEmpty();
  }

  @Test
  void feedCursorThatCannotBeResumedGoesLiveAtOnceWithoutSnapshot() {
    final SubscriptionId feed = new SubscriptionId(Kind.FEED, 2);
    final Cursor feedSeam = Cursor.of(TOPIC, Cursor.FEED_SCOPE, Map.of(0, 4L, 1, 6L));

    final List<Effect> joined = core.joined(new ClientFrame.Subscribe("f",
        Channel.parse("feed").orElseThrow(), Optional.of(Cursor.of(Uuid.randomUuid(), 0, Map.of(0, 1L, 1, 1L))),
        TypeFilter.all()), feed, feedSeam, 0);

    assertThat(joined).containsExactly(new Effect.Unrecoverable(ResumePlan.Reason.OTHER_EPOCH),
        new Effect.Send(new Reply.Subscribed("f", Channel.parse("feed").orElseThrow(), false, feedSeam)));
  }

  @Test
  void rejectedReplayLeavesTheChannelAndAnswersRateLimited() {
    final ReplayRead.Check check = resume(5, 10);

    final List<Effect> rejected = core.replayRejected(check.id());

    assertThat(rejected).containsExactly(new Effect.Leave(check.id()), new Effect.Send(
        new ProtocolError(Optional.of("s"), ErrorCode.RATE_LIMITED, SessionCore.RATE_LIMITED)));
    assertThat(core.live(Kind.USER, event("alice", 10))).isEmpty();
  }

  @Test
  void cancelledReplayReleasesItsAdmissionExactlyOnce() {
    // parked: at once
    final List<Effect> out = new ArrayList<>();
    final Effect.AwaitRoom parked = checked(resume(0, 100), 1_000, out);
    final List<Effect> unsubscribed = core.request(new ClientFrame.Unsubscribe("u",
        Channel.parse("user").orElseThrow()));
    assertThat(unsubscribed).contains(new Effect.Leave(parked.id()),
        new Effect.Cancel(new Effect.Timer.Stall(parked.id(), parked.token())),
        new Effect.EndReplay(parked.id(), Replays.Outcome.CANCELLED, Duration.ZERO));
    assertThat(core.room(parked.id(), parked.token(), EMPTY, 0)).isEmpty();

    // a read out at a worker: when it returns, and only then
    final SubscriptionId second = new SubscriptionId(Kind.USER, 2);
    final ReplayRead.Check check = only(core.joined(subscribe(Optional.of(alices(0))), second,
        seam(100), 0), Effect.StartReplay.class).check();
    final List<Effect> replaced = core.joined(subscribe(Optional.empty()),
        new SubscriptionId(Kind.USER, 3), seam(100), 0);
    assertThat(replaced).noneMatch(Effect.EndReplay.class::isInstance);
    assertThat(core.replayed(new ReplayResult.Checked(check.id(), Map.of()), EMPTY, 0))
        .containsExactly(new Effect.EndReplay(second, Replays.Outcome.CANCELLED, Duration.ZERO));
    assertThat(core.replayed(new ReplayResult.Checked(check.id(), Map.of()), EMPTY, 0)).isEmpty();
  }

  @Test
  void disconnectReleasesEverythingOnceAndStartsNothingAfter() {
    final List<Effect> out = new ArrayList<>();
    final Effect.AwaitRoom parked = checked(resume(0, 100), 1_000, out);

    final List<Effect> gone = core.disconnected();

    assertThat(gone).contains(new Effect.EndReplay(parked.id(), Replays.Outcome.CANCELLED, Duration.ZERO))
        .endsWith(new Effect.Forget());
    assertThat(core.disconnected()).isEmpty();
    assertThat(core.joined(subscribe(Optional.of(alices(0))), new SubscriptionId(Kind.USER, 9),
        seam(100), 0)).containsExactly(new Effect.Leave(new SubscriptionId(Kind.USER, 9)));
    assertThat(core.close(CloseCode.GOING_AWAY)).isEmpty();
  }

  @Test
  void typeFilterAppliesToBufferedEventsToo() {
    final ClientFrame.Subscribe credits = new ClientFrame.Subscribe("s", Channel.parse("user").orElseThrow(),
        Optional.of(alices(5)), TypeFilter.of(List.of("credits.*")).orElseThrow());
    final ReplayRead.Check check = only(core.joined(credits, user, seam(10), 0),
        Effect.StartReplay.class).check();
    core.live(Kind.USER, event("alice", 10));
    core.live(Kind.USER, EncodedEvent.of(Optional.of("alice"), "credits.updated", 0, 11, "c11"));
    final List<Effect> out = new ArrayList<>();
    final Effect.AwaitRoom parked = checked(check, 1_000, out);
    final ReplayRead.Batch batch = (ReplayRead.Batch) only(core.room(parked.id(), parked.token(),
        EMPTY, 0), Effect.Read.class).read();

    assertThat(batch.types()).isEqualTo(credits.types()); // the worker filters the replay
    assertThat(delivered(core.replayed(read(batch, List.of(), 10), EMPTY, 0))).containsExactly("c11");
  }

  @Test
  void tokenExpiryEndsTheSessionUnlessAnAuthReplacedTheToken() {
    final Effect.Schedule armed = only(core.opened(NOW), Effect.Schedule.class);
    assertThat(armed.delay()).isEqualTo(Duration.ofSeconds(3605)); // plus the clock skew
    final Principal fresh = new Principal("alice", NOW.plusSeconds(7200));

    final List<Effect> refreshed = core.auth("a", new TokenVerdict.Accepted(fresh), NOW);

    assertThat(refreshed).containsExactly(
        new Effect.Schedule(new Effect.Timer.Expiry(fresh), Duration.ofSeconds(7205)),
        new Effect.Send(new Reply.Authenticated("a", fresh.expiresAt())));
    assertThat(core.timer(armed.timer())).isEmpty(); // the first token's expiry is stale now
    final List<Effect> expired = core.timer(new Effect.Timer.Expiry(fresh));
    assertThat(only(expired, Effect.Terminate.class)).isEqualTo(new Effect.Terminate(
        ErrorCode.TOKEN_EXPIRED, "token expired", CloseCode.TOKEN_EXPIRED, false));
    assertThat(core.auth("b", new TokenVerdict.Accepted(fresh), NOW)).isEmpty(); // terminating
  }

  @Test
  void authWithAnotherUsersOrARejectedTokenChangesNothing() {
    final Principal before = core.principal();

    assertThat(replies(core.auth("a", new TokenVerdict.Accepted(
        new Principal("mallory", NOW.plusSeconds(9000))), NOW))).singleElement()
        .isEqualTo(new ProtocolError(Optional.of("a"), ErrorCode.FORBIDDEN, "the token is for another user"));
    // the client sees the reason's fixed text, never the detail meant for the log
    assertThat(replies(core.auth("b", new TokenVerdict.Rejected(TokenVerdict.Reason.EXPIRED, "exp 1764 < now 1765"),
        NOW))).singleElement().isEqualTo(new ProtocolError(Optional.of("b"), ErrorCode.TOKEN_EXPIRED, "token expired"));
    assertThat(core.principal()).isSameAs(before);
  }
}
