package io.tidewire.processor.internals;

import io.tidewire.processor.ProcessorMetrics;
import io.tidewire.processor.internals.DecodeException.Kind;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' handler of an exception thrown by any processor or punctuator of the topology
 * (the first stage catches its own; this covers the credits join, the folds, the timers): the
 * source record that was being processed goes to {@code realtime.dlq}, byte for byte as it was
 * read (for a punctuator there is none: key and value are null), with the dead-letter headers
 * (failure {@code processing}), and the stream goes on, where Kafka Streams' default would kill
 * the stream thread. The dead letter commits in the same transaction as the offsets.
 *
 * <p>Created by Kafka Streams from its configuration; counts in the {@link ProcessorMetrics} of
 * the entry {@value DeserializationDeadLetters#METRICS_CONFIG}. Thread-safe: stateless after
 * {@link #configure}.
 */
public final class ProcessingDeadLetters implements ProcessingExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessingDeadLetters.class);

  private ProcessorMetrics metrics = ProcessorMetrics.noop();

  @Override
  public void configure(final Map<String, ?> configs) {
    metrics = DeadLetters.metrics(configs);
  }

  @Override
  public Response handleError(final ErrorHandlerContext context, final Record<?, ?> record,
      final Exception exception) {
    final DecodeException e = new DecodeException(Kind.PROCESSING, "processor " + context.processorNodeId()
        + " failed: " + exception, exception);
    LOG.error("Dead-lettering the record at {}-{}@{}: {}", context.topic(), context.partition(), context.offset(),
        e.reason(), exception);
    metrics.deadLettered(context.topic() == null ? "?" : context.topic(), Kind.PROCESSING.tag());
    return Response.resume(List.of(DeadLetters.fromContext(context, e)));
  }
}
