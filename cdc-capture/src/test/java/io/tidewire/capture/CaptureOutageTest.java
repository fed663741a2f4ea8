package io.tidewire.capture;

import static io.tidewire.capture.CaptureFixture.json;
import static io.tidewire.capture.CaptureFixture.keyId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidewire.infra.EmbeddedKafka;
import io.tidewire.settings.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capture through a Kafka outage longer than its producer's timeouts, on a broker of its own
 * (the shared one must stay up for the other tests) and the shared PostgreSQL.
 */
class CaptureOutageTest {

  private final CaptureFixture fx = new CaptureFixture();
  private EmbeddedKafka kafka;

  @TempDir
  Path dir;

  @AfterEach
  void cleanUp() throws Exception {
    try {
      fx.close();
    } finally {
      if (kafka != null) {
        kafka.close();
      }
    }
  }

  @Test
  void kafkaOutageLongerThanTheProducerTimeoutsLosesNoChangeAndKeepsRowOrder() throws Exception {
    kafka = EmbeddedKafka.start(0, dir);
    final Map<String, String> env = fx.env(KafkaSettings.BOOTSTRAP.name(), kafka.bootstrapServers(),
        CaptureSettings.SNAPSHOT_MODE.name(), "no_data", CaptureSettings.TABLES.name(), "public.generation_jobs",
        CaptureSettings.RESTART_BACKOFF.name(), "200", CaptureSettings.RESTART_BACKOFF_MAX.name(), "1000",
        CaptureSettings.SLOT_LAG_INTERVAL.name(), "200",
        // far shorter than the outage: without the restarts the capture would stop for good
        "TIDEWIRE_PRODUCER_MAX_BLOCK_MS", "1000", "TIDEWIRE_PRODUCER_DELIVERY_TIMEOUT_MS", "2000",
        "TIDEWIRE_KAFKA_REQUEST_TIMEOUT_MS", "1000", "TIDEWIRE_KAFKA_DEFAULT_API_TIMEOUT_MS", "2000");
    final CaptureService capture = fx.startStreaming(env);
    final String jobId = fx.insertJob(fx.insertUser());
    try (CaptureFixture.Tail before = new CaptureFixture.Tail(kafka.bootstrapServers(), fx.topic("generation_jobs"))) {
      before.awaitCount(keyId(jobId), 1);
    }

    kafka.stop();
    for (int progress = 1; progress <= 10; progress++) {
      fx.setProgress(jobId, progress);
    }
    // the run's end is visible (RETRYING) a moment before its failure is recorded: wait for both
    await().atMost(CaptureFixture.WAIT).until(() -> capture.state() == CaptureService.State.RETRYING
        && capture.failure().isPresent());
    assertThat(capture.isHealthy()).isFalse();
    await().atMost(CaptureFixture.WAIT).until(() -> capture.slotLagBytes().orElse(0L) > 0);
    await().atMost(CaptureFixture.WAIT)
        .until(() -> fx.registry.get("tidewire.capture.restarts").counter().count() >= 2);
    for (int progress = 11; progress <= 20; progress++) {
      fx.setProgress(jobId, progress);
    }
    kafka.restart();

    assertThat(capture.awaitStreaming(CaptureFixture.WAIT)).isTrue();
    try (CaptureFixture.Tail after = new CaptureFixture.Tail(kafka.bootstrapServers(), fx.topic("generation_jobs"))) {
      final List<ConsumerRecord<String, String>> records =
          after.awaitUpTo(keyId(jobId), r -> json(r.value()).path("after").path("progress").asInt() == 20);
      final List<Integer> progress = records.stream()
          .map(r -> json(r.value()).path("after").path("progress").asInt()).toList();
      // at-least-once: a batch that failed may be sent again, but every change arrives, in commit order
      assertThat(progress.stream().distinct().toList())
          .containsExactlyElementsOf(IntStream.rangeClosed(0, 20).boxed().toList());
      assertThat(progress).isSorted();
    }
    assertThat(capture.failure()).isEmpty();
    assertThat(fx.registry.get("tidewire.capture.slot.lag").gauge()).isNotNull();
  }

  @Test
  void restartBackoffDoublesUpToItsMaximum() {
    final Duration first = Duration.ofMillis(100);
    final Duration max = Duration.ofSeconds(1);
    assertThat(IntStream.range(0, 6).mapToObj(n -> CaptureService.backoff(first, max, n).toMillis()).toList())
        .containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L);
    assertThat(CaptureService.backoff(first, max, 1_000).toMillis()).isEqualTo(1000L);
  }
}
