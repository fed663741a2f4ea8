package io.tidewire.processor.internals;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.processor.ProcessorMetrics;
import io.tidewire.schemas.DeadLetterHeaders;
import io.tidewire.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Response;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Result;
import org.junit.jupiter.api.Test;

class DeserializationDeadLettersTest {

  private static final String TOPIC = "app-public.users.user-state-by-user-repartition";

  @Test
  void anUnreadableRecordGoesToTheDeadLetterTopicAsReadAndTheStreamGoesOn() {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final DeserializationDeadLetters handler = new DeserializationDeadLetters();
    handler.configure(Map.of(DeserializationDeadLetters.METRICS_CONFIG, new ProcessorMetrics(registry)));
    final RecordHeaders headers = new RecordHeaders();
    headers.add("traceparent", "00-abc-01".getBytes(StandardCharsets.UTF_8));
    final byte[] key = "u1".getBytes(StandardCharsets.UTF_8);
    final byte[] value = {1, 2, 3};
    final ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(TOPIC, 2, 17, 1_000,
        TimestampType.CREATE_TIME, key.length, value.length, key, value, headers, Optional.empty());

    // the context is not used: everything needed is in the record
    final Response response = handler.handleError(null, record, new SerializationException("cannot read UserChange"));

    assertThat(response.result()).isEqualTo(Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(dead -> {
      assertThat(dead.topic()).isEqualTo(Topics.DEAD_LETTER.name());
      assertThat(dead.partition()).as("the producer's partitioner places it").isNull();
      assertThat(dead.key()).isEqualTo(key);
      assertThat(dead.value()).isEqualTo(value);
      assertThat(dead.timestamp()).isEqualTo(1_000);
      assertThat(header(dead, DeadLetterHeaders.REASON)).isEqualTo("unreadable: cannot read UserChange");
      assertThat(header(dead, DeadLetterHeaders.EXCEPTION))
          .isEqualTo(SerializationException.class.getName());
      assertThat(header(dead, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(TOPIC);
      assertThat(header(dead, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("2");
      assertThat(header(dead, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("17");
      assertThat(header(dead, DeadLetterHeaders.STAGE)).isEqualTo("stream-processor");
      assertThat(header(dead, "traceparent")).isEqualTo("00-abc-01");
    });
    assertThat(registry.get("tidewire.processor.dead.letters").tag("table", TOPIC).tag("failure", "unreadable")
        .counter().count()).isEqualTo(1);
  }

  private static String header(final ProducerRecord<byte[], byte[]> record, final String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
