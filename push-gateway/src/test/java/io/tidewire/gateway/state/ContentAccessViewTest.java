package io.tidewire.gateway.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.broadcast.ItemAccess.Visibility;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.ContentAccess;
import io.tidewire.schemas.avro.SourcePosition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ContentAccessViewTest {

  private static final String TOPIC = Topics.CONTENT_ACCESS.name();

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<CompletableFuture<Map<Integer, Long>>> fetches = new CopyOnWriteArrayList<>();
  private ContentAccessView view;
  private long next;

  @BeforeEach
  void start() {
    consumer.updateBeginningOffsets(Map.of(new TopicPartition(TOPIC, 0), 0L));
    view = new ContentAccessView(Uuid.randomUuid(), 1, consumer, () -> {
      final CompletableFuture<Map<Integer, Long>> fetch = new CompletableFuture<>();
      fetches.add(fetch);
      return fetch;
    }, Duration.ofSeconds(10), System::nanoTime, new GatewayMetrics(registry));
    view.start();
  }

  @AfterEach
  void stop() {
    view.close();
  }

  private void write(final String key, final byte[] value) {
    consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, next++,
        key.getBytes(StandardCharsets.UTF_8), value)));
  }

  private void write(final String id, final String owner, final boolean isPublic) {
    final ContentAccess access = ContentAccess.newBuilder().setContentType("video").setContentId(id)
        .setOwner(owner).setIsPublic(isPublic).setTs(1L)
        .setSource(SourcePosition.newBuilder().setTable("public.videos").build()).build();
    write("video:" + id, Topics.CONTENT_ACCESS.valueSerde().serializer().serialize(TOPIC, access));
  }

  private double gauge() {
    return registry.get("tidewire.gateway.content.items").gauge().value();
  }

  @Test
  void theLatestRecordPerItemDecidesAndATombstoneForgetsTheItem() {
    write("v1", "ada", true);
    write("v2", "ada", false);
    write("v3", "bob", false);
    write("v1", "ada", false);
    write("video:v3", null);
    await().atMost(Duration.ofSeconds(5)).until(() -> view.size() == 2);

    assertThat(view.visibility("video:v1")).contains(new Visibility.Private("ada"));
    assertThat(view.visibility("video:v2")).contains(new Visibility.Private("ada"));
    assertThat(view.visibility("video:v3")).isEmpty();
    assertThat(gauge()).isEqualTo(2);
  }

  @Test
  void publicItemsShareOneVisibilityAndAnOwnersPrivateItemsAnother() {
    write("p1", "ada", true);
    write("p2", "bob", true);
    write("q1", "ada", false);
    write("q2", "ada", false);
    await().atMost(Duration.ofSeconds(5)).until(() -> view.size() == 4);

    assertThat(view.visibility("video:p1").orElseThrow()).isSameAs(view.visibility("video:p2").orElseThrow())
        .isSameAs(Visibility.PUBLIC);
    assertThat(view.visibility("video:q1").orElseThrow()).isSameAs(view.visibility("video:q2").orElseThrow());
  }

  @Test
  void anUndecodableRecordIsSkippedAndThePreviousAccessKept() {
    write("v9", "ada", true);
    write("video:v9", new byte[] {1, 2, 3});
    final AtomicBoolean caughtUp = new AtomicBoolean();
    view.afterCatchUp(() -> caughtUp.set(true));
    fetches.get(0).complete(Map.of(0, 2L));

    await().atMost(Duration.ofSeconds(5)).untilTrue(caughtUp);
    assertThat(view.visibility("video:v9")).contains(Visibility.PUBLIC);
    assertThat(registry.get("tidewire.gateway.records.skipped").tag("topic", TOPIC).counter().count()).isEqualTo(1);
  }

  @Test
  void aWaitForTheViewEndsOnceEverythingCommittedBeforeItIsRead() {
    final AtomicBoolean caughtUp = new AtomicBoolean();
    view.afterCatchUp(() -> caughtUp.set(true));
    fetches.get(0).complete(Map.of(0, 1L)); // one record committed before the wait began
    assertThat(caughtUp).isFalse();
    assertThat(view.visibility("video:late")).isEmpty();

    write("late", "ada", true);

    await().atMost(Duration.ofSeconds(5)).untilTrue(caughtUp);
    assertThat(view.visibility("video:late")).contains(Visibility.PUBLIC);
  }
}
