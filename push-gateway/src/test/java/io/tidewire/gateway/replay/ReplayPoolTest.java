package io.tidewire.gateway.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import io.tidewire.gateway.session.ClientSession;
import io.tidewire.gateway.session.DispatchSeam;
import io.tidewire.gateway.session.Hub;
import io.tidewire.gateway.session.SessionContext;
import io.tidewire.gateway.testing.Events;
import io.tidewire.gateway.testing.FakeTransport;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.testing.Tokens;
import io.tidewire.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReplayPoolTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Uuid TOPIC = Uuid.randomUuid();
  private static final String USER = "alice";
  private static final int PARTITION = Topics.partitionOf(USER, 3);
  private static final int RECORDS = 200;

  private final ScheduledExecutorService timer = TestKit.daemonTimer();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(registry);
  private final FakePartitionReader log = new FakePartitionReader(20);
  private ReplayPool pool;
  private SessionContext context;

  @BeforeEach
  void start() {
    for (long offset = 0; offset < RECORDS; offset++) {
      log.append(new ConsumerRecord<>(Topics.USER_EVENTS.name(), PARTITION, offset,
          USER.getBytes(StandardCharsets.UTF_8), Topics.USER_EVENTS.valueSerde().serializer()
              .serialize(Topics.USER_EVENTS.name(), Events.progress(USER, "e-" + offset, 1))));
    }
    pool = new ReplayPool(1, 1, () -> log, metrics, TestKit.CURSORS);
    final Hub hub = new Hub(DispatchSeam.fixed(Cursor.of(TOPIC, 0, PARTITION, RECORDS)),
        DispatchSeam.fixed(Cursor.of(TOPIC, 0, 0, 0)));
    context = new SessionContext(hub, new NoSnapshots(pool),
        new JwtVerifier(Tokens.SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC(), Duration.ZERO),
        metrics, timer, Clock.systemUTC(), 4096, 4, 10_000_000, Duration.ofMillis(200),
        Duration.ofMillis(300), TestKit.CURSORS);
    pool.start();
  }

  @AfterEach
  void stop() {
    pool.close();
    timer.shutdownNow();
  }

  private ClientSession resume(final FakeTransport transport) {
    final ClientSession session = new ClientSession(transport,
        new Principal(USER, Instant.now().plusSeconds(3600)), context);
    session.open();
    session.onText("{\"op\":\"subscribe\",\"ref\":\"r\",\"channel\":\"user\",\"cursor\":\""
        + TestKit.CURSORS.encode(Cursor.of(TOPIC, Cursor.scopeOf(USER), PARTITION, 0)) + "\"}");
    return session;
  }

  private static String code(final FakeTransport transport, final int index) throws Exception {
    return JSON.readTree(transport.sent().get(index)).path("code").textValue();
  }

  @Test
  void readingClientIsReplayedThroughASmallQueueToTheEnd() {
    final FakeTransport reader = new FakeTransport(true);

    resume(reader);

    await().atMost(Duration.ofSeconds(5)).until(() -> reader.sent().size() == 1 + RECORDS);
    assertThat(reader.sent().get(RECORDS)).contains("\"id\":\"e-" + (RECORDS - 1) + "\"");
    assertThat(log.readSizes()).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(20));
    assertThat(registry.get("tidewire.gateway.replays").tag("outcome", "live").counter().count()).isEqualTo(1);
  }

  @Test
  void resumesBeyondTheAdmissionBoundAreRateLimitedAndAStalledOneIsCutOff() throws Exception {
    final FakeTransport frozen = new FakeTransport(false); // never completes a send
    final FakeTransport next = new FakeTransport(true);

    resume(frozen); // admitted; parks once its queue of 4 is full
    await().atMost(Duration.ofSeconds(5)).until(() -> frozen.sent().size() == 1);
    resume(next);

    assertThat(code(next, 0)).isEqualTo("rate_limited");
    // the frozen client never makes room: after the stall timeout it is a slow consumer
    await().atMost(Duration.ofSeconds(5)).until(() -> frozen.closed().isPresent());
    assertThat(frozen.closed()).contains(CloseCode.SLOW_CONSUMER);
    assertThat(registry.get("tidewire.gateway.replays").tag("outcome", "stalled").counter().count()).isEqualTo(1);
    // and its slot is free again
    final FakeTransport later = new FakeTransport(true);
    resume(later);
    await().atMost(Duration.ofSeconds(5)).until(() -> later.sent().size() == 1 + RECORDS);
  }

  @Test
  void unsubscribingAResumeFreesItsSlot() throws Exception {
    final FakeTransport frozen = new FakeTransport(false); // never completes a send
    final ClientSession parked = resume(frozen); // admitted; parks once its queue of 4 is full
    await().atMost(Duration.ofSeconds(5)).until(() -> !log.readSizes().isEmpty());

    parked.onText("{\"op\":\"unsubscribe\",\"ref\":\"u\",\"channel\":\"user\"}");

    // parked: at once; with a read out: as soon as it returns
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.get("tidewire.gateway.replays.pending")
        .gauge().value() == 0);
    assertThat(registry.get("tidewire.gateway.replays").tag("outcome", "cancelled").counter().count())
        .isEqualTo(1);
    final FakeTransport next = new FakeTransport(true);
    resume(next);
    await().atMost(Duration.ofSeconds(5)).until(() -> next.sent().size() == 1 + RECORDS);
  }
}
