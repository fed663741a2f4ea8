package io.tidewire.processor.internals;

import io.tidewire.processor.ProcessorMetrics;
import io.tidewire.schemas.DeadLetterHeaders;
import io.tidewire.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** The headers of a record sent to {@code realtime.dlq}. Thread-safe (stateless). */
final class DeadLetters {

  /** Value of the {@link DeadLetterHeaders#STAGE} header. */
  static final String STAGE = "stream-processor";

  private DeadLetters() {}

  /**
   * The original headers plus {@link DeadLetterHeaders}: the reason, the exception and where the
   * record was read.
   *
   * @param source where the record was read, when known
   * @param topic the topic it was read from, for when {@code source} is not known
   */
  static Headers headers(final Iterable<Header> original, final DecodeException e,
      final Optional<RecordMetadata> source, final String topic) {
    final Headers headers = new RecordHeaders();
    for (final Header header : original) {
      headers.add(header);
    }
    put(headers, DeadLetterHeaders.REASON, e.reason());
    put(headers, DeadLetterHeaders.EXCEPTION, e.exceptionClass());
    put(headers, DeadLetterHeaders.SOURCE_TOPIC, source.map(RecordMetadata::topic).orElse(topic));
    source.ifPresent(m -> {
      put(headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(m.partition()));
      put(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(m.offset()));
    });
    put(headers, DeadLetterHeaders.STAGE, STAGE);
    return headers;
  }

  /**
   * The dead letter of the source record a Kafka Streams error handler was called for: its raw key
   * and value (null when there is none, e.g. in a punctuator) and headers, plus the reason.
   */
  static ProducerRecord<byte[], byte[]> fromContext(final ErrorHandlerContext context, final DecodeException e) {
    final Optional<RecordMetadata> source = context.topic() == null ? Optional.empty()
        : Optional.of(new At(context.topic(), context.partition(), context.offset()));
    final String topic = context.topic() == null ? "?" : context.topic();
    return new ProducerRecord<>(Topics.DEAD_LETTER.name(), null, context.timestamp() < 0 ? null : context.timestamp(),
        context.sourceRawKey(), context.sourceRawValue(),
        headers(context.headers() == null ? new RecordHeaders() : context.headers(), e, source, topic));
  }

  /**
   * The metrics a Kafka Streams error handler counts in: the {@link ProcessorMetrics} in the
   * configuration entry {@value DeserializationDeadLetters#METRICS_CONFIG}, else none.
   */
  static ProcessorMetrics metrics(final Map<String, ?> configs) {
    return configs.get(DeserializationDeadLetters.METRICS_CONFIG) instanceof ProcessorMetrics configured
        ? configured : ProcessorMetrics.noop();
  }

  /** Where a record was read, for {@link #headers}. */
  record At(String topic, int partition, long offset) implements RecordMetadata {}

  /** {@code topic-partition@offset}, or {@code ?}, for logs. */
  static String where(final Optional<RecordMetadata> source) {
    return source.map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?");
  }

  private static void put(final Headers headers, final String name, final String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
