package io.tidewire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.auth.SubjectFormat;
import io.tidewire.gateway.auth.TokenPolicy;
import io.tidewire.gateway.protocol.Channel.Kind;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import io.tidewire.gateway.recovery.LogRange;
import io.tidewire.gateway.testing.FakeRecovery;
import io.tidewire.gateway.testing.FakeTransport;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.testing.Tokens;
import io.tidewire.schemas.avro.UserState;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientSessionTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Uuid USER_TOPIC = Uuid.randomUuid();
  private static final Uuid FEED_TOPIC = Uuid.randomUuid();
  /** The user tail's position in the user's partition (1) when a subscription joins. */
  private static final Cursor SEAM = Cursor.of(USER_TOPIC, Cursor.FEED_SCOPE, 1, 42);
  private static final Cursor FEED_SEAM = Cursor.of(FEED_TOPIC, Cursor.FEED_SCOPE,
      Map.of(0, 0L, 1, 0L, 2, 0L));

  private final ScheduledExecutorService timer = TestKit.daemonTimer();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Hub hub = new Hub(DispatchSeam.fixed(SEAM), DispatchSeam.fixed(FEED_SEAM));
  private final FakeRecovery recovery = new FakeRecovery();
  /** The gateway's verifier with its default rules, but any non-blank {@code sub} (these tests use names). */
  private final JwtVerifier verifier = new JwtVerifier(Optional.of(Tokens.SECRET.getBytes(StandardCharsets.UTF_8)),
      Optional.empty(), TokenPolicy.defaults().withSubjectFormat(SubjectFormat.ANY), Clock.systemUTC(), Duration.ZERO,
      new SimpleMeterRegistry());

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  private final GatewayMetrics metrics = new GatewayMetrics(registry);

  private SessionContext context(final int queueMessages) {
    return new SessionContext(hub, recovery, verifier, metrics, timer, Clock.systemUTC(),
        1024, queueMessages, 1_000_000, Duration.ofMillis(300), Duration.ofSeconds(30), TestKit.CURSORS);
  }

  /** Alice's session with these replay limits. */
  private ClientSession openWithReplayLimits(final FakeTransport transport, final int queueMessages,
      final int replaysPerSession, final long maxScanRecords) {
    final SessionContext base = context(queueMessages);
    final ClientSession session = new ClientSession(transport, new Principal("alice",
        Instant.now().plusSeconds(3600)), new SessionContext(base.hub(), base.recovery(), base.verifier(),
        base.metrics(), base.timer(), base.clock(), base.maxFrameBytes(), base.queueMessages(),
        base.queueBytes(), base.closeGrace(), base.recoveryTimeout(), base.frameLimits(), replaysPerSession,
        maxScanRecords, base.cursors()));
    session.open();
    return session;
  }

  private ClientSession openWithReplaysPerSession(final FakeTransport transport, final int queueMessages,
      final int replaysPerSession) {
    return openWithReplayLimits(transport, queueMessages, replaysPerSession,
        SessionContext.DEFAULT_MAX_SCAN_RECORDS);
  }

  private ClientSession open(final FakeTransport transport, final String user, final Instant expiry,
      final int queueMessages) {
    final ClientSession session = new ClientSession(transport, new Principal(user, expiry), context(queueMessages));
    session.open();
    return session;
  }

  private ClientSession open(final FakeTransport transport, final String user) {
    return open(transport, user, Instant.now().plusSeconds(3600), 100);
  }

  /** A user event in the user's partition (1) at {@code offset}. */
  private static EncodedEvent userEvent(final String owner, final String type, final long offset,
      final String frame) {
    return EncodedEvent.of(Optional.of(owner), type, 1, offset, frame);
  }

  /** A feed event in partition 0 at {@code offset}. */
  private static EncodedEvent feedEvent(final long offset, final String frame) {
    return EncodedEvent.of(Optional.empty(), "feed.counts", 0, offset, frame);
  }

  /** Sends a subscribe with a cursor. */
  private static void subscribe(final ClientSession session, final String ref, final String channel,
      final Cursor from) {
    session.onText("{\"op\":\"subscribe\",\"ref\":\"" + ref + "\",\"channel\":\"" + channel
        + "\",\"cursor\":\"" + cursor(from) + "\"}");
  }

  private static String cursor(final Cursor cursor) {
    return TestKit.CURSORS.encode(cursor);
  }

  private static JsonNode frame(final FakeTransport transport, final int index) throws Exception {
    return JSON.readTree(transport.sent().get(index));
  }

  private static JsonNode last(final FakeTransport transport) throws Exception {
    final List<String> sent = transport.sent();
    return JSON.readTree(sent.get(sent.size() - 1));
  }

  @Test
  void answersPingWithPong() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    open(transport, "u").onText("{\"op\":\"ping\",\"ref\":\"p1\"}");

    assertThat(last(transport)).isEqualTo(JSON.readTree("{\"op\":\"pong\",\"ref\":\"p1\"}"));
  }

  @Test
  void malformedFrameGetsBadRequestAndTheSessionKeepsAnswering() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "u");

    session.onText("{nope");
    assertThat(last(transport).get("code").textValue()).isEqualTo("bad_request");
    session.onText("{\"op\":\"jump\",\"ref\":\"r2\"}");
    assertThat(last(transport).get("ref").textValue()).isEqualTo("r2");
    session.onBinary(10);
    assertThat(last(transport).get("code").textValue()).isEqualTo("bad_request");
    session.onText("{\"op\":\"ping\",\"ref\":\"r3\"}");

    assertThat(last(transport).get("op").textValue()).isEqualTo("pong");
    assertThat(transport.closed()).isEmpty();
    assertThat(registry.get("tidewire.gateway.errors").tag("code", "bad_request").counter().count()).isEqualTo(3);
  }

  @Test
  void subscribingToAnotherUsersChannelIsForbidden() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");

    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user:bob\"}");

    assertThat(last(transport)).isEqualTo(JSON.readTree(
        "{\"op\":\"error\",\"ref\":\"s\",\"code\":\"forbidden\",\"message\":\"the channel belongs to another user\"}"));
    assertThat(hub.hasUserSubscribers("bob")).isFalse();
    assertThat(hub.hasUserSubscribers("alice")).isFalse();
  }

  @Test
  void subscribedReplyCarriesTheSeamCursorAndPrecedesEvents() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");

    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user:alice\"}");
    hub.deliverToUser("alice", userEvent("alice", "generation.progress", 42, "{\"op\":\"event\"}"));

    assertThat(frame(transport, 0)).isEqualTo(JSON.readTree(
        "{\"op\":\"subscribed\",\"ref\":\"s\",\"channel\":\"user:alice\",\"recovered\":false,\"cursor\":\""
            + cursor(SEAM.withScope(Cursor.scopeOf("alice"))) + "\"}"));
    assertThat(transport.sent()).hasSize(2).last().isEqualTo("{\"op\":\"event\"}");
    assertThat(recovery.reads()).isEmpty();
    assertThat(recovery.snapshots()).isEmpty();
  }

  @Test
  void eventDispatchedRightAtTheSeamFollowsTheSubscribedReply() throws Exception {
    // the tail dispatches its next record the moment the registration at its seam is done
    final EncodedEvent atSeam = userEvent("alice", "generation.progress", 42, "{\"op\":\"event\"}");
    final AtomicReference<Hub> self = new AtomicReference<>();
    final Hub eager = new Hub((key, registration) -> {
      registration.accept(SEAM);
      self.get().deliverToUser("alice", atSeam);
    }, DispatchSeam.fixed(FEED_SEAM));
    self.set(eager);
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = new ClientSession(transport,
        new Principal("alice", Instant.now().plusSeconds(3600)), new SessionContext(eager, recovery,
            verifier, metrics, timer, Clock.systemUTC(), 1024, 100, 1_000_000, Duration.ofMillis(300),
            Duration.ofSeconds(30), TestKit.CURSORS));
    session.open();

    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\"}");

    assertThat(frame(transport, 0).get("op").textValue()).isEqualTo("subscribed");
    assertThat(transport.sent()).hasSize(2).last().isEqualTo("{\"op\":\"event\"}");
  }

  @Test
  void inputsArrivingWhileAnotherThreadAppliesEffectsAreAppliedAfterItInArrivalOrder()
      throws Exception {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> written = new CopyOnWriteArrayList<>();
    final Transport blocking = new Transport() {
      @Override
      public void send(final String text, final Consumer<Optional<Throwable>> done) {
        written.add(text);
        if (text.equals("feed-0")) {
          entered.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        done.accept(Optional.empty());
      }

      @Override
      public void close(final CloseCode code) {
      }

      @Override
      public boolean abort() {
        return false;
      }

      @Override
      public String id() {
        return "blocking";
      }
    };
    final ClientSession session = new ClientSession(blocking,
        new Principal("alice", Instant.now().plusSeconds(3600)), context(100));
    session.open();
    session.onText("{\"op\":\"subscribe\",\"ref\":\"f\",\"channel\":\"feed\"}");
    // a tail thread delivers a feed event and gets stuck writing it, inside the session's drain
    final Thread tail = new Thread(() -> hub.deliverToFeed(feedEvent(0, "feed-0")));
    tail.start();
    entered.await();

    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\"}");
    hub.deliverToUser("alice", userEvent("alice", "generation.progress", 42, "user-42"));
    session.onText("{\"op\":\"ping\",\"ref\":\"p\"}");
    assertThat(written).hasSize(2); // nothing overtook the stuck write
    release.countDown();
    tail.join();

    assertThat(written.subList(1, written.size())).satisfiesExactly(
        f -> assertThat(f).isEqualTo("feed-0"),
        f -> assertThat(JSON.readTree(f).get("op").textValue()).isEqualTo("subscribed"),
        f -> assertThat(f).isEqualTo("user-42"),
        f -> assertThat(JSON.readTree(f).get("op").textValue()).isEqualTo("pong"));
  }

  @Test
  void cursorAtTheSeamResumesLiveWithRecoveredTrue() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");
    final Cursor mine = SEAM.withScope(Cursor.scopeOf("alice"));

    subscribe(session, "s", "user", mine);

    assertThat(frame(transport, 0).get("recovered").booleanValue()).isTrue();
    assertThat(frame(transport, 0).get("cursor").textValue()).isEqualTo(cursor(mine));
    assertThat(recovery.reads()).isEmpty();
  }

  @Test
  void cursorBehindTheSeamStartsAReplayAndBuffersLiveEventsUntilItCatchesUp() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");
    final Cursor behind = Cursor.of(USER_TOPIC, Cursor.scopeOf("alice"), 1, 30);

    subscribe(session, "s", "user", behind);
    hub.deliverToUser("alice", userEvent("alice", "generation.progress", 50, "live-50"));

    assertThat(transport.sent()).isEmpty(); // no reply before the replay checked the cursor
    final FakeRecovery.ReadRequest check = recovery.lastRead();
    assertThat(check.read()).isInstanceOf(ReplayRead.Check.class);
    assertThat(((ReplayRead.Check) check.read()).from()).isEqualTo(behind);
    check.answer(new ReplayResult.Checked(check.read().id(), Map.of(1, new LogRange(0, 60))));
    final FakeRecovery.ReadRequest batch = recovery.lastRead();
    assertThat(((ReplayRead.Batch) batch.read()).from()).isEqualTo(Map.of(1, 30L));
    batch.answer(new ReplayResult.Read(batch.read().id(), List.of(
        userEvent("alice", "generation.progress", 35, "old-35"),
        userEvent("alice", "generation.progress", 41, "old-41")), Map.of(1, 42L)));
    hub.deliverToUser("alice", userEvent("alice", "generation.progress", 51, "live-51"));

    assertThat(frame(transport, 0).get("recovered").booleanValue()).isTrue();
    assertThat(frame(transport, 0).get("cursor").textValue()).isEqualTo(cursor(behind));
    assertThat(transport.sent().subList(1, transport.sent().size()))
        .containsExactly("old-35", "old-41", "live-50", "live-51");
    assertThat(recovery.finished()).containsExactly(Replays.Outcome.LIVE);
  }

  @Test
  void tooManyResumesAtOnceAreRateLimitedWithoutSubscribing() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");
    recovery.admit(false);

    subscribe(session, "s", "user", Cursor.of(USER_TOPIC, Cursor.scopeOf("alice"), 1, 3));

    assertThat(last(transport).get("code").textValue()).isEqualTo("rate_limited");
    assertThat(last(transport).get("ref").textValue()).isEqualTo("s");
    assertThat(hub.hasUserSubscribers("alice")).isFalse();
  }

  @Test
  void cursorOfAnotherIncarnationGetsRecoveredFalseThenTheSnapshotBeforeAnyLiveEvent() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");

    subscribe(session, "s", "user", Cursor.of(Uuid.randomUuid(), Cursor.scopeOf("alice"), 1, 7));
    hub.deliverToUser("alice", userEvent("alice", "credits.updated", 42, "live-42"));
    assertThat(transport.sent()).isEmpty();
    recovery.snapshots().get(0).ready().accept(Optional.of(UserState.newBuilder().setUserId("alice")
        .setBalance(7L).setActiveJobs(List.of()).setUpdatedAt(1L).build()));
    hub.deliverToUser("alice", userEvent("alice", "credits.updated", 43, "live-43"));

    final Cursor at = SEAM.withScope(Cursor.scopeOf("alice"));
    assertThat(frame(transport, 0)).isEqualTo(JSON.readTree("{\"op\":\"subscribed\",\"ref\":\"s\","
        + "\"channel\":\"user\",\"recovered\":false,\"cursor\":\"" + cursor(at) + "\"}"));
    assertThat(frame(transport, 1)).isEqualTo(JSON.readTree("{\"op\":\"snapshot\",\"channel\":\"user\","
        + "\"cursor\":\"" + cursor(at) + "\",\"data\":{\"userId\":\"alice\",\"balance\":7,\"activeJobs\":[],"
        + "\"updatedAt\":1}}"));
    assertThat(transport.sent().subList(2, transport.sent().size())).containsExactly("live-42", "live-43");
    assertThat(registry.get("tidewire.gateway.unrecoverable.cursors").tag("reason", "other_epoch")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void anotherUsersCursorIsNeverReplayedButAnsweredWithASnapshot() {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "bob");

    subscribe(session, "s", "user", Cursor.of(USER_TOPIC, Cursor.scopeOf("alice"), 1, 7));

    assertThat(recovery.reads()).isEmpty();
    assertThat(recovery.snapshots()).extracting(FakeRecovery.SnapshotRequest::userId).containsExactly("bob");
  }

  @Test
  void userWithoutStateGetsAnEmptySnapshot() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "carol");
    subscribe(session, "s", "user", Cursor.of(Uuid.randomUuid(), Cursor.scopeOf("carol"), 1, 7));

    recovery.snapshots().get(0).ready().accept(Optional.empty());

    assertThat(frame(transport, 1).get("data")).isEqualTo(JSON.readTree(
        "{\"userId\":\"carol\",\"activeJobs\":[],\"updatedAt\":0}"));
  }

  @Test
  void snapshotThatCannotBeTakenIsAnInternalErrorWithTheRefAndNoSubscription() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "dan");
    subscribe(session, "s", "user", Cursor.of(Uuid.randomUuid(), Cursor.scopeOf("dan"), 1, 7));

    recovery.snapshots().get(0).failed().accept("store down");

    assertThat(last(transport).get("code").textValue()).isEqualTo("internal");
    assertThat(last(transport).get("ref").textValue()).isEqualTo("s");
    assertThat(hub.hasUserSubscribers("dan")).isFalse();
    assertThat(transport.closed()).isEmpty();
  }

  @Test
  void feedCursorOfAnotherIncarnationGoesLiveWithoutSnapshot() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "erin");

    subscribe(session, "f", "feed", Cursor.of(Uuid.randomUuid(), 0, Map.of(0, 1L, 1, 1L, 2, 1L)));
    hub.deliverToFeed(feedEvent(0, "feed-0"));

    assertThat(frame(transport, 0).get("recovered").booleanValue()).isFalse();
    assertThat(TestKit.CURSORS.decode(frame(transport, 0).get("cursor").textValue())).isEqualTo(FEED_SEAM);
    assertThat(transport.sent()).hasSize(2).last().isEqualTo("feed-0");
    assertThat(recovery.snapshots()).isEmpty();
  }

  @Test
  void typesFilterSelectsEventsAndUnsubscribeStopsThem() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");
    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\",\"types\":[\"credits.*\"]}");

    hub.deliverToUser("alice", userEvent("alice", "generation.progress", 42, "g"));
    hub.deliverToUser("alice", userEvent("alice", "credits.updated", 43, "c"));
    session.onText("{\"op\":\"unsubscribe\",\"ref\":\"u\",\"channel\":\"user\"}");
    hub.deliverToUser("alice", userEvent("alice", "credits.updated", 44, "c2"));

    assertThat(transport.sent()).hasSize(3);
    assertThat(transport.sent().get(1)).isEqualTo("c");
    assertThat(last(transport)).isEqualTo(JSON.readTree("{\"op\":\"unsubscribed\",\"ref\":\"u\",\"channel\":\"user\"}"));
  }

  @Test
  void refusesToDeliverAUserEventOfSomeoneElseEvenIfAsked() {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");
    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\"}");

    assertThat(session.deliver(Kind.USER, userEvent("bob", "x", 50, "bob's"))).isFalse();
    assertThat(transport.sent()).doesNotContain("bob's");
  }

  @Test
  void oversizedFrameClosesWith1009() {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "u");

    session.onText("{\"op\":\"ping\",\"ref\":\"" + "é".repeat(600) + "\"}");

    assertThat(transport.closed()).contains(CloseCode.MESSAGE_TOO_BIG);
    assertThat(transport.sent()).isEmpty();
  }

  @Test
  void oversizedBinaryFrameClosesWith1009Too() {
    final FakeTransport transport = new FakeTransport(true);

    open(transport, "u").onBinary(1025);

    assertThat(transport.closed()).contains(CloseCode.MESSAGE_TOO_BIG);
  }

  @Test
  void slowConsumerIsToldAndClosedWhileOthersKeepReceiving() throws Exception {
    final FakeTransport slow = new FakeTransport(false);
    final FakeTransport fast = new FakeTransport(true);
    final ClientSession slowSession = open(slow, "slow", Instant.now().plusSeconds(3600), 3);
    final ClientSession fastSession = open(fast, "fast", Instant.now().plusSeconds(3600), 3);
    slowSession.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"feed\"}");
    fastSession.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"feed\"}");

    for (int i = 0; i < 20; i++) {
      hub.deliverToFeed(feedEvent(i, "e" + i));
    }

    assertThat(slow.sent()).hasSize(1); // only the subscribed reply is in flight
    slow.completeNext(); // the client finally reads it...
    slow.completeNext(); // ...and the error that replaced the queue
    assertThat(JSON.readTree(slow.sent().get(slow.sent().size() - 1)).get("code").textValue())
        .isEqualTo("slow_consumer");
    assertThat(slow.closed()).contains(CloseCode.SLOW_CONSUMER);
    assertThat(slow.sent()).noneMatch(frame -> frame.startsWith("e"));
    assertThat(fast.sent()).filteredOn(frame -> frame.startsWith("e")).hasSize(20);
    assertThat(fast.closed()).isEmpty();
    assertThat(registry.get("tidewire.gateway.slow.consumer.disconnects").counter().count()).isEqualTo(1);
  }

  @Test
  void slowConsumerIsClosedAfterTheGraceEvenIfItNeverReads() {
    final FakeTransport stuck = new FakeTransport(false);
    final ClientSession session = open(stuck, "stuck", Instant.now().plusSeconds(3600), 2);
    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"feed\"}");

    for (int i = 0; i < 5; i++) {
      hub.deliverToFeed(feedEvent(i, "e" + i));
    }

    await().atMost(Duration.ofSeconds(5)).until(() -> stuck.closed().isPresent());
    assertThat(stuck.closed()).contains(CloseCode.SLOW_CONSUMER);
    // it never completes the close either: its socket is aborted one grace period later
    await().atMost(Duration.ofSeconds(5)).until(stuck::aborted);
    assertThat(registry.get("tidewire.gateway.aborted.connections").counter().count()).isEqualTo(1);
  }

  @Test
  void expiredTokenClosesWith4001AfterSayingSo() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    open(transport, "u", Instant.now().plusMillis(200), 100);

    await().atMost(Duration.ofSeconds(5)).until(() -> transport.closed().isPresent());

    assertThat(transport.closed()).contains(CloseCode.TOKEN_EXPIRED);
    assertThat(last(transport).get("code").textValue()).isEqualTo("token_expired");
  }

  @Test
  void authWithFreshTokenOfTheSameUserExtendsTheSession() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final String fresh = Tokens.valid("u"); // signed before the 300 ms start to run
    final ClientSession session = open(transport, "u", Instant.now().plusMillis(300), 100);

    session.onText("{\"op\":\"auth\",\"ref\":\"a\",\"token\":\"" + fresh + "\"}");

    assertThat(last(transport).get("op").textValue()).isEqualTo("authenticated");
    assertThat(session.principal().expiresAt()).isAfter(Instant.now().plusSeconds(3000));
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
        .until(() -> transport.closed().isEmpty());
  }

  @Test
  void authWithAnotherUsersTokenIsForbiddenAndChangesNothing() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "u");
    final Instant before = session.principal().expiresAt();

    session.onText("{\"op\":\"auth\",\"ref\":\"a\",\"token\":\"" + Tokens.valid("someone-else") + "\"}");

    assertThat(last(transport).get("code").textValue()).isEqualTo("forbidden");
    assertThat(last(transport).get("ref").textValue()).isEqualTo("a");
    assertThat(session.principal().expiresAt()).isEqualTo(before);
  }

  @Test
  void authWithForgedOrExpiredTokenIsRefused() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "u");

    session.onText("{\"op\":\"auth\",\"ref\":\"a\",\"token\":\""
        + Tokens.hs256(Tokens.OTHER_SECRET, "u", Instant.now().plusSeconds(60)) + "\"}");
    assertThat(last(transport).get("code").textValue()).isEqualTo("unauthorized");
    session.onText("{\"op\":\"auth\",\"ref\":\"b\",\"token\":\""
        + Tokens.hs256(Tokens.SECRET, "u", Instant.now().minusSeconds(60)) + "\"}");
    assertThat(last(transport).get("code").textValue()).isEqualTo("token_expired");
    assertThat(transport.closed()).isEmpty();
  }

  @Test
  void authFollowsTheVerifiersRulesAndTheSessionGoesOn() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "u");
    final Instant before = session.principal().expiresAt();
    final JWTClaimsSet tooLong = new JWTClaimsSet.Builder().subject("u").issueTime(new Date())
        .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(25)))).build();

    session.onText("{\"op\":\"auth\",\"ref\":\"a\",\"token\":\""
        + Tokens.sign(JWSAlgorithm.HS256, Tokens.SECRET, tooLong) + "\"}");

    assertThat(last(transport).get("code").textValue()).isEqualTo("unauthorized");
    assertThat(last(transport).get("message").textValue()).isEqualTo("token lifetime too long");
    assertThat(session.principal().expiresAt()).isEqualTo(before);
    session.onText("{\"op\":\"ping\",\"ref\":\"p\"}");
    assertThat(last(transport).get("ref").textValue()).isEqualTo("p");
    assertThat(transport.closed()).isEmpty();
  }

  @Test
  void goAwayClosesWith1001AndOnClosedForgetsTheSession() {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "u");
    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\"}");

    session.goAway();
    session.onClosed();

    assertThat(transport.closed()).contains(CloseCode.GOING_AWAY);
    assertThat(hub.size()).isZero();
    assertThat(hub.hasUserSubscribers("u")).isFalse();
  }

  @Test
  void framesBeyondTheRateAreRefusedWithTheirRefThenTheSessionIsClosedWith4029() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");

    for (int i = 0; i < 50; i++) {
      session.onText("{\"op\":\"ping\",\"ref\":\"p" + i + "\"}");
    }
    assertThat(transport.sent()).hasSize(50).allMatch(frame -> frame.contains("\"pong\""));
    session.onText("{\"op\":\"subscribe\",\"ref\":\"over\",\"channel\":\"feed\"}");

    assertThat(last(transport).get("code").textValue()).isEqualTo("rate_limited");
    assertThat(last(transport).get("ref").textValue()).isEqualTo("over");
    assertThat(hub.hasFeedSubscribers()).isFalse(); // refused, not performed
    for (int i = 0; i < 200 && transport.closed().isEmpty(); i++) {
      session.onText("{\"op\":\"ping\",\"ref\":\"q" + i + "\"}");
    }
    await().until(() -> transport.closed().isPresent());
    assertThat(transport.closed()).contains(CloseCode.RATE_LIMITED);
    assertThat(last(transport).get("code").textValue()).isEqualTo("rate_limited");
    assertThat(last(transport).has("ref")).isFalse();
    assertThat(registry.get("tidewire.gateway.rate.limited.disconnects").counter().count()).isEqualTo(1);
    assertThat(registry.get("tidewire.gateway.frames.rate.limited").counter().count()).isGreaterThan(100);
  }

  @Test
  void aSecondResumeBeyondTheSessionsReplaySlotsIsRateLimited() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = openWithReplaysPerSession(transport, 100, 1);

    subscribe(session, "u", "user", Cursor.of(USER_TOPIC, Cursor.scopeOf("alice"), 1, 3));
    // Another position than the feed's seam: a replay, beyond the session's one slot.
    subscribe(session, "f", "feed", Cursor.of(FEED_TOPIC, Cursor.FEED_SCOPE, Map.of(0, 5L, 1, 0L, 2, 0L)));

    assertThat(recovery.reads()).hasSize(1);
    assertThat(recovery.admitted()).isEqualTo(1);
    assertThat(last(transport).get("code").textValue()).isEqualTo("rate_limited");
    assertThat(last(transport).get("ref").textValue()).isEqualTo("f");
    assertThat(hub.hasFeedSubscribers()).isFalse();
    assertThat(registry.get("tidewire.gateway.replay.slots.refused").tag("scope", "session").counter().count())
        .isEqualTo(1);
  }

  @Test
  void aCancelledParkedReplayReleasesItsSlotAtOnce() throws Exception {
    final FakeTransport transport = new FakeTransport(false); // nothing completes: the queue stays full
    final ClientSession session = openWithReplaysPerSession(transport, 1, 1);
    final Cursor behind = Cursor.of(USER_TOPIC, Cursor.scopeOf("alice"), 1, 30);

    subscribe(session, "s", "user", behind);
    final FakeRecovery.ReadRequest check = recovery.lastRead();
    check.answer(new ReplayResult.Checked(check.read().id(), Map.of(1, new LogRange(0, 60))));
    final FakeRecovery.ReadRequest batch = recovery.lastRead();
    batch.answer(new ReplayResult.Read(batch.read().id(), List.of(
        userEvent("alice", "generation.progress", 30, "old-30"),
        userEvent("alice", "generation.progress", 31, "old-31"),
        userEvent("alice", "generation.progress", 32, "old-32")), Map.of(1, 33L)));
    assertThat(recovery.reads()).hasSize(2); // subscribed in flight, the queue full: parked
    final Cursor feedBehind = Cursor.of(FEED_TOPIC, Cursor.FEED_SCOPE, Map.of(0, 5L, 1, 0L, 2, 0L));
    subscribe(session, "feed", "feed", feedBehind); // a second resume while parked: no slot
    assertThat(recovery.reads()).hasSize(2);
    assertThat(registry.get("tidewire.gateway.replay.slots.refused").tag("scope", "session").counter().count())
        .isEqualTo(1);

    session.onText("{\"op\":\"unsubscribe\",\"ref\":\"u\",\"channel\":\"user\"}");

    assertThat(recovery.finished()).contains(Replays.Outcome.CANCELLED);
    assertThat(recovery.admitted()).isZero();
    subscribe(session, "feed-again", "feed", feedBehind);
    assertThat(recovery.reads()).hasSize(3); // admitted at once: the slot was released on cancel
    assertThat(recovery.lastRead().read().id().kind()).isEqualTo(Kind.FEED);
  }

  @Test
  void aCancelledReplayWithAReadOutHoldsItsSlotOnlyUntilTheReadReturns() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = openWithReplaysPerSession(transport, 100, 1);
    final Cursor behind = Cursor.of(USER_TOPIC, Cursor.scopeOf("alice"), 1, 30);

    subscribe(session, "s", "user", behind);
    final FakeRecovery.ReadRequest check = recovery.lastRead();
    session.onText("{\"op\":\"unsubscribe\",\"ref\":\"u\",\"channel\":\"user\"}");
    assertThat(recovery.admitted()).isEqualTo(1);

    check.answer(new ReplayResult.Checked(check.read().id(), Map.of(1, new LogRange(0, 60))));

    assertThat(recovery.admitted()).isZero();
    assertThat(recovery.finished()).containsExactly(Replays.Outcome.CANCELLED);
    subscribe(session, "again", "user", behind);
    assertThat(recovery.reads()).hasSize(2);
  }

  @Test
  void aCursorBeyondTheScanLimitGetsRecoveredFalseAndASnapshotInsteadOfAReplay() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = openWithReplayLimits(transport, 100, 2, 1_000);

    subscribe(session, "s", "user", Cursor.of(USER_TOPIC, Cursor.scopeOf("alice"), 1, 0));
    final FakeRecovery.ReadRequest check = recovery.lastRead();
    check.answer(new ReplayResult.Checked(check.read().id(), Map.of(1, new LogRange(0, 5_000))));

    assertThat(recovery.reads()).hasSize(1); // no batch read: the scan was refused
    assertThat(recovery.finished()).containsExactly(Replays.Outcome.UNRECOVERABLE);
    recovery.snapshots().get(0).ready().accept(Optional.empty());
    assertThat(frame(transport, 0).get("recovered").booleanValue()).isFalse();
    assertThat(frame(transport, 1).get("op").textValue()).isEqualTo("snapshot");
    assertThat(registry.get("tidewire.gateway.unrecoverable.cursors").tag("reason", "scan_limit")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void anUnsignedCursorOfAnEarlierReleaseIsAnsweredWithASnapshotNotAnError() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");

    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\","
        + "\"cursor\":\"v2.kq3WhqaRTiG5hnz4Rlc1yQAAAAABASo\"}");
    recovery.snapshots().get(0).ready().accept(Optional.empty());

    assertThat(recovery.reads()).isEmpty();
    assertThat(frame(transport, 0).get("recovered").booleanValue()).isFalse();
    assertThat(frame(transport, 1).get("op").textValue()).isEqualTo("snapshot");
    assertThat(registry.get("tidewire.gateway.unrecoverable.cursors").tag("reason", "unsigned")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void aTamperedCursorGetsBadRequestAndTheSessionStays() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");
    final String genuine = cursor(Cursor.of(USER_TOPIC, Cursor.scopeOf("alice"), 1, 40));
    final byte[] raw = java.util.Base64.getUrlDecoder().decode(genuine.substring(3));
    raw[raw.length - CursorCodec.MAC_BYTES - 1] = 0; // the offset rewritten to 0
    final String tampered = "v3." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw);

    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\",\"cursor\":\""
        + tampered + "\"}");

    assertThat(last(transport).get("code").textValue()).isEqualTo("bad_request");
    assertThat(last(transport).get("ref").textValue()).isEqualTo("s");
    assertThat(recovery.reads()).isEmpty();
    session.onText("{\"op\":\"ping\",\"ref\":\"p\"}");
    assertThat(last(transport).get("op").textValue()).isEqualTo("pong");
    assertThat(transport.closed()).isEmpty();
  }
}
