package io.tidewire.gateway.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.UserState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UserStateStoreTest {

  private static final String TOPIC = Topics.USER_STATE.name();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<CompletableFuture<Map<Integer, Long>>> fetches = new CopyOnWriteArrayList<>();
  private final AtomicLong nanos = new AtomicLong();
  private UserStateStore store;
  private long next;

  @BeforeEach
  void start() {
    consumer.updateBeginningOffsets(Map.of(new TopicPartition(TOPIC, 0), 0L));
    store = new UserStateStore(Uuid.randomUuid(), 1, consumer, () -> {
      final CompletableFuture<Map<Integer, Long>> fetch = new CompletableFuture<>();
      fetches.add(fetch);
      return fetch;
    }, TIMEOUT, nanos::get, new GatewayMetrics(registry));
    store.start();
  }

  @AfterEach
  void stop() {
    store.close();
  }

  private static UserState state(final String user, final long balance) {
    return UserState.newBuilder().setUserId(user).setBalance(balance).setActiveJobs(List.of())
        .setUpdatedAt(balance).build();
  }

  private void write(final String user, final byte[] value) {
    consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, next++,
        user.getBytes(StandardCharsets.UTF_8), value)));
  }

  private void write(final UserState state) {
    write(state.getUserId(), Topics.USER_STATE.valueSerde().serializer().serialize(TOPIC, state));
  }

  /** Asks for a snapshot; the reference is set once answered (empty Optional inside = no state). */
  private AtomicReference<Optional<UserState>> ask(final String user, final AtomicReference<String> failure) {
    final AtomicReference<Optional<UserState>> answer = new AtomicReference<>();
    store.snapshot(user, answer::set, failure::set);
    return answer;
  }

  @Test
  void snapshotWaitsUntilEverythingCommittedBeforeTheRequestIsApplied() {
    write(state("alice", 10));
    write(state("bob", 5));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.size() == 2);

    final AtomicReference<Optional<UserState>> answer = ask("alice", new AtomicReference<>());
    fetches.get(0).complete(Map.of(0, 3L)); // a third record was committed before the request
    assertThat(answer.get()).isNull();
    write(state("alice", 11));

    await().atMost(Duration.ofSeconds(5)).until(() -> answer.get() != null);
    assertThat(answer.get()).contains(state("alice", 11));
  }

  @Test
  void tombstoneRemovesAUserAndAnUnknownUserHasNoState() {
    write(state("carol", 1));
    write("carol", null);
    final AtomicReference<Optional<UserState>> answer = ask("carol", new AtomicReference<>());
    fetches.get(0).complete(Map.of(0, 2L));

    await().atMost(Duration.ofSeconds(5)).until(() -> answer.get() != null);
    assertThat(answer.get()).isEmpty();
  }

  @Test
  void undecodableStateIsSkippedAndThePreviousKept() {
    write(state("dave", 3));
    write("dave", new byte[] {1, 2, 3});
    final AtomicReference<Optional<UserState>> answer = ask("dave", new AtomicReference<>());
    fetches.get(0).complete(Map.of(0, 2L));

    await().atMost(Duration.ofSeconds(5)).until(() -> answer.get() != null);
    assertThat(answer.get()).contains(state("dave", 3));
    assertThat(registry.get("tidewire.gateway.records.skipped").tag("topic", Topics.USER_STATE.name()).counter().count())
        .isEqualTo(1);
  }

  @Test
  void concurrentRequestsShareEndOffsetFetches() {
    final AtomicReference<Optional<UserState>> first = ask("a", new AtomicReference<>());
    final AtomicReference<Optional<UserState>> second = ask("b", new AtomicReference<>());
    final AtomicReference<Optional<UserState>> third = ask("c", new AtomicReference<>());
    assertThat(fetches).hasSize(1); // the first; b and c wait for the next one

    fetches.get(0).complete(Map.of(0, 0L));
    assertThat(fetches).hasSize(2);
    fetches.get(1).complete(Map.of(0, 0L));

    await().atMost(Duration.ofSeconds(5)).until(() -> first.get() != null && second.get() != null
        && third.get() != null);
    assertThat(fetches).hasSize(2);
  }

  @Test
  void snapshotFailsWhenTheStoreCannotCatchUpInTime() {
    final AtomicReference<String> failure = new AtomicReference<>();
    final AtomicReference<Optional<UserState>> answer = ask("eve", failure);
    fetches.get(0).complete(Map.of(0, 99L)); // far beyond anything the store will read

    nanos.addAndGet(TIMEOUT.toNanos() + 1);

    await().atMost(Duration.ofSeconds(5)).until(() -> failure.get() != null);
    assertThat(failure.get()).contains("did not catch up");
    assertThat(answer.get()).isNull();
  }

  @Test
  void failedEndOffsetFetchFailsTheRequestsWithoutTheExceptionText() {
    final AtomicReference<String> failure = new AtomicReference<>();
    ask("frank", failure);

    fetches.get(0).completeExceptionally(new IllegalStateException("broker down"));

    assertThat(failure.get()).isEqualTo("cannot read the state topic").doesNotContain("broker down");
  }
}
