package io.tidewire.processor.internals;

import io.tidewire.processor.ProcessorMetrics;
import io.tidewire.processor.internals.DecodeException.Kind;
import io.tidewire.schemas.Topics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' handler of records that do not deserialize, which here can only be records of
 * the processor's repartition topics ({@link InternalSerde}; change topics are read as bytes):
 * sends the record to {@code realtime.dlq}, byte for byte with the same headers as a poison
 * change record (failure {@code unreadable}), and goes on, where Kafka Streams' default would
 * stop the stream thread. The record and the offsets commit in the same transaction.
 *
 * <p>Kafka Streams creates it from its configuration; the {@link ProcessorMetrics} to count in
 * are taken from the configuration entry {@value #METRICS_CONFIG}, when there is one.
 * Thread-safe: stateless after {@link #configure}.
 */
public final class DeserializationDeadLetters implements DeserializationExceptionHandler {

  /** Configuration entry holding the {@link ProcessorMetrics} object. */
  public static final String METRICS_CONFIG = "tidewire.processor.metrics";

  private static final Logger LOG = LoggerFactory.getLogger(DeserializationDeadLetters.class);

  private ProcessorMetrics metrics = ProcessorMetrics.noop();

  @Override
  public void configure(final Map<String, ?> configs) {
    metrics = DeadLetters.metrics(configs);
  }

  @Override
  public Response handleError(final ErrorHandlerContext context,
      final ConsumerRecord<byte[], byte[]> record, final Exception exception) {
    final DecodeException e = new DecodeException(Kind.UNREADABLE, exception.getMessage(), exception);
    final Optional<RecordMetadata> source =
        Optional.of(new DeadLetters.At(record.topic(), record.partition(), record.offset()));
    LOG.warn("Dead-lettering an unreadable record at {}: {}", DeadLetters.where(source), e.reason());
    metrics.deadLettered(record.topic(), e.kind().tag());
    return Response.resume(List.of(new ProducerRecord<>(Topics.DEAD_LETTER.name(), null,
        record.timestamp(), record.key(), record.value(), DeadLetters.headers(record.headers(), e, source, record.topic()))));
  }
}
