package io.tidewire.gateway.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.gateway.session.ClientSession;
import io.tidewire.gateway.session.Hub;
import io.tidewire.gateway.session.SessionContext;
import io.tidewire.gateway.tail.EventRouter;
import io.tidewire.gateway.testing.Events;
import io.tidewire.gateway.testing.FakeTransport;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.testing.Tokens;
import io.tidewire.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The session's concurrency discipline under real threads: a live tail dispatching under its seam,
 * two replay workers, the timer, and a client that reads on its own thread, drops its connection
 * now and then and is cut off as a slow consumer when it falls behind — and always resumes from
 * the cursor of the last event it got. Whatever the interleaving, the client ends with every one
 * of its events exactly once, in order, each session's {@code subscribed} reply before its events.
 */
class ConcurrentResumeTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Uuid TOPIC = Uuid.randomUuid();
  private static final String TOPIC_NAME = Topics.USER_EVENTS.name();
  private static final int PARTITION = Topics.partitionOf("alice", 3);
  private static final int RECORDS = 3_000;

  private final ScheduledExecutorService timer = TestKit.daemonTimer();
  private final GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry());
  private final FakePartitionReader log = new FakePartitionReader(7);
  private final ReplayPool pool = new ReplayPool(2, 100, () -> log, metrics, TestKit.CURSORS);
  private final Object seamLock = new Object();
  private long position; // the tail's next offset; guarded by seamLock

  @AfterEach
  void stop() {
    pool.close();
    timer.shutdownNow();
  }

  private ConsumerRecord<byte[], byte[]> record(final long offset) {
    final String user = offset % 3 == 0 ? "bob" : "alice";
    return new ConsumerRecord<>(TOPIC_NAME, PARTITION, offset, user.getBytes(StandardCharsets.UTF_8),
        Topics.USER_EVENTS.valueSerde().serializer().serialize(TOPIC_NAME,
            Events.progress(user, user + "-" + offset, 1)));
  }

  /** Writes and dispatches the records, one at a time under the seam, as a tail does. */
  private void tail(final Hub hub) {
    final EventRouter<?> router = EventRouter.userEvents(hub, metrics, TestKit.CURSORS);
    for (long offset = 0; offset < RECORDS; offset++) {
      final ConsumerRecord<byte[], byte[]> record = record(offset);
      log.append(record);
      synchronized (seamLock) {
        final long next = offset + 1;
        router.handle(record, () -> Cursor.of(TOPIC, Cursor.FEED_SCOPE, PARTITION, next));
        position = next;
      }
      LockSupport.parkNanos(50_000); // a steady stream, not one burst
    }
  }

  private static JsonNode parse(final String frame) {
    try {
      return JSON.readTree(frame);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void clientThatKeepsReconnectingGetsEveryEventOnceInOrder() throws Exception {
    final Hub hub = new Hub((key, registration) -> {
      synchronized (seamLock) {
        registration.accept(Cursor.of(TOPIC, Cursor.FEED_SCOPE, PARTITION, position));
      }
    }, (key, registration) -> registration.accept(Cursor.of(TOPIC, 0, 0, 0)));
    final SessionContext context = new SessionContext(hub, new NoSnapshots(pool),
        new JwtVerifier(Tokens.SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC(), Duration.ZERO),
        metrics, timer, Clock.systemUTC(), 4096, 8, 1_000_000, Duration.ofMillis(100),
        Duration.ofSeconds(10), TestKit.CURSORS);
    pool.start();
    final Thread tail = new Thread(() -> tail(hub), "test-tail");
    tail.start();

    final Random random = new Random(7);
    final List<String> received = new ArrayList<>();
    final List<List<JsonNode>> sessions = new ArrayList<>();
    final AtomicBoolean done = new AtomicBoolean();
    Optional<String> cursor = Optional.empty();
    final String lastId = "alice-" + (RECORDS - 1);
    while (!done.get()) {
      assertThat(sessions).as("reconnects").hasSizeLessThan(500);
      final FakeTransport transport = new FakeTransport(false);
      final ClientSession session = new ClientSession(transport,
          new Principal("alice", Instant.now().plusSeconds(3600)), context);
      session.open();
      session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\""
          + cursor.map(c -> ",\"cursor\":\"" + c + "\"").orElse("") + "}");
      // read until cut off, until this client drops the connection, or until the last event
      final int dropAfter = 50 + random.nextInt(400);
      int read = 0;
      while (true) {
        if (transport.completeNext()) {
          read++;
        } else {
          Thread.yield();
        }
        final List<String> sent = transport.sent();
        if (!sent.isEmpty() && sent.get(sent.size() - 1).contains("\"id\":\"" + lastId + "\"")) {
          done.set(true);
          break;
        }
        if (transport.closed().isPresent() && !transport.completeNext()) {
          break; // cut off (a slow consumer): everything sent was read
        }
        if (read >= dropAfter && tail.isAlive()) {
          break; // the client goes away by itself (while there is still something to miss)
        }
      }
      session.onClosed();
      final List<JsonNode> frames = transport.sent().stream().map(ConcurrentResumeTest::parse).toList();
      sessions.add(frames);
      for (final JsonNode frame : frames) {
        if ("event".equals(frame.path("op").textValue())) {
          received.add(frame.get("id").textValue());
          cursor = Optional.of(frame.get("cursor").textValue());
        } else if ("subscribed".equals(frame.path("op").textValue()) && cursor.isEmpty()) {
          cursor = Optional.of(frame.get("cursor").textValue());
        }
      }
    }
    tail.join();

    final long first = TestKit.CURSORS.decode(sessions.get(0).get(0).get("cursor").textValue())
        .offset(PARTITION).orElseThrow();
    final List<String> expected = new ArrayList<>();
    for (long offset = first; offset < RECORDS; offset++) {
      if (offset % 3 != 0) {
        expected.add("alice-" + offset);
      }
    }
    assertThat(received).containsExactlyElementsOf(expected);
    assertThat(sessions).allSatisfy(frames -> assertThat(frames).first()
        .satisfies(f -> assertThat(f.get("op").textValue()).isEqualTo("subscribed")));
    assertThat(sessions.size()).as("the client reconnected").isGreaterThan(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> hub.size() == 0);
  }
}
