package io.tidewire.processor.internals;

import io.tidewire.processor.ProcessorMetrics;
import io.tidewire.processor.internals.DecodeException.Kind;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' handler of an output record Kafka refuses or that cannot be serialized. A record
 * that can never be written ({@code RecordTooLargeException}, {@code InvalidRecordException}, a
 * serialization error) is replaced by a dead letter on {@code realtime.dlq} and the stream goes
 * on: the dead letter carries the <em>source</em> record the output was made from (byte for byte;
 * it was small enough to be read) and the dead-letter headers, failure {@code record_too_large},
 * {@code record_too_large} or {@code unserializable}, the reason naming the output topic. Any other
 * error (authorization, a fenced producer, …) fails as in Kafka Streams' default: the stream
 * thread dies and the {@code ThreadReplacementPolicy} decides.
 *
 * <p>Created by Kafka Streams from its configuration; counts in the {@link ProcessorMetrics} of
 * the entry {@value DeserializationDeadLetters#METRICS_CONFIG}. Thread-safe: stateless after
 * {@link #configure}.
 */
public final class ProductionDeadLetters implements ProductionExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ProductionDeadLetters.class);

  private ProcessorMetrics metrics = ProcessorMetrics.noop();

  @Override
  public void configure(final Map<String, ?> configs) {
    metrics = DeadLetters.metrics(configs);
  }

  @Override
  public Response handleError(final ErrorHandlerContext context, final ProducerRecord<byte[], byte[]> record,
      final Exception exception) {
    if (!(exception instanceof RecordTooLargeException) && !(exception instanceof InvalidRecordException)) {
      return Response.fail();
    }
    final Kind kind = exception instanceof RecordTooLargeException ? Kind.RECORD_TOO_LARGE : Kind.UNSERIALIZABLE;
    return park(context, record.topic(), kind, exception);
  }

  @Override
  @SuppressWarnings("rawtypes")
  public Response handleSerializationError(final ErrorHandlerContext context, final ProducerRecord record,
      final Exception exception, final SerializationExceptionOrigin origin) {
    return park(context, record.topic(), Kind.UNSERIALIZABLE, exception);
  }

  private Response park(final ErrorHandlerContext context, final String outputTopic, final Kind kind,
      final Exception exception) {
    final DecodeException e = new DecodeException(kind, "output to " + outputTopic + ": " + exception.getMessage(),
        exception);
    LOG.error("Dead-lettering the source of an output record at {}-{}@{}: {}", context.topic(), context.partition(),
        context.offset(), e.reason());
    metrics.deadLettered(context.topic() == null ? "?" : context.topic(), kind.tag());
    return Response.resume(List.of(DeadLetters.fromContext(context, e)));
  }
}
