package io.tidewire.gateway.replay;

import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.session.EncodedEvent;
import io.tidewire.gateway.session.ReplayRead;
import io.tidewire.gateway.session.ReplayResult;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.gateway.tail.EventCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bounded step of a replay as a worker performs it: a {@link ReplayRead} in, a
 * {@link ReplayResult} out, never an exception. A check reads the log's bounds; a batch reads at
 * most one batch, keeps the records of the channel's owner whose events pass the type filter, and
 * encodes each with its cursor. What the step means for the subscription is the session core's to
 * decide.
 *
 * <p>Thread-safe (stateless apart from metrics); the reader is the calling worker's own.
 */
final class ReplayStep {

  private static final Logger LOG = LoggerFactory.getLogger(ReplayStep.class);

  private final EventCodec<?> userCodec;
  private final EventCodec<?> feedCodec;
  private final EventCodec<?> publicCodec;
  private final GatewayMetrics metrics;

  ReplayStep(final GatewayMetrics metrics, final CursorCodec cursors) {
    this.metrics = metrics;
    this.userCodec = EventCodec.userEvents(cursors);
    this.feedCodec = EventCodec.feedEvents(cursors);
    this.publicCodec = EventCodec.publicChanges(cursors);
  }

  /** Performs {@code read} with {@code reader}. */
  ReplayResult perform(final ReplayRead read, final PartitionReader reader) {
    final EventCodec<?> codec = switch (read.id().kind()) {
      case USER -> userCodec;
      case FEED -> feedCodec;
      case PUBLIC -> publicCodec;
    };
    try {
      if (read instanceof ReplayRead.Check check) {
        return new ReplayResult.Checked(check.id(),
            reader.bounds(codec.topic(), check.from().offsets().keySet()));
      }
      final ReplayRead.Batch batch = (ReplayRead.Batch) read;
      final PartitionReader.Batch records = reader.read(codec.topic(), batch.from());
      return new ReplayResult.Read(batch.id(), encode(codec, batch, records.records()),
          records.reach());
    } catch (LogTruncatedException e) {
      return new ReplayResult.Truncated(read.id());
    } catch (KafkaException e) {
      LOG.info("replay of {} failed a step: {}", read.id(), e.toString());
      // the message reaches the client in an error frame: the details stay in the log
      return new ReplayResult.Failed(read.id(), "Kafka did not answer", true);
    } catch (RuntimeException e) {
      LOG.warn("replay step failed unexpectedly", e);
      return new ReplayResult.Failed(read.id(), "internal error during the replay", false);
    }
  }

  /**
   * The batch's events for the subscription, each with its cursor: the floor so far with the
   * record's partition moved past it (for a user channel, that partition alone).
   */
  private List<EncodedEvent> encode(final EventCodec<?> codec, final ReplayRead.Batch batch,
      final List<ConsumerRecord<byte[], byte[]>> records) {
    final Optional<byte[]> ownerKey =
        batch.owner().map(owner -> owner.getBytes(StandardCharsets.UTF_8));
    final TreeMap<Integer, Long> running = new TreeMap<>(batch.floor().toMap());
    final List<EncodedEvent> events = new ArrayList<>();
    for (final ConsumerRecord<byte[], byte[]> record : records) {
      running.merge(record.partition(), record.offset() + 1, Math::max);
      metrics.replayRecordRead();
      if (ownerKey.isPresent() && !Arrays.equals(ownerKey.get(), record.key())) {
        continue; // another user's record in the same partition
      }
      final Optional<EventCodec.Event> event = codec.decode(record, why -> {
        metrics.recordSkipped(codec.topic());
        LOG.debug("replay skipped {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), why);
      });
      if (event.isEmpty() || !event.get().owner().equals(batch.owner())
          || !batch.types().accepts(event.get().type())) {
        continue;
      }
      events.add(codec.encode(event.get(), record,
          Cursor.of(batch.epoch(), Cursor.FEED_SCOPE, running)));
    }
    return events;
  }
}
