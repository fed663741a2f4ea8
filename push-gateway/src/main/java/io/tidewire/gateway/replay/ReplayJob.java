package io.tidewire.gateway.replay;

import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.recovery.ResumePlan;
import io.tidewire.gateway.session.EncodedEvent;
import io.tidewire.gateway.session.Subscription;
import io.tidewire.gateway.tail.EventCodec;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One resume in progress: brings a {@link Subscription} from the client's cursor to live, one
 * bounded step at a time, so that a worker can interleave many of them.
 *
 * <p>The first step checks that the cursor is inside the log (else: unrecoverable, a snapshot
 * follows) and replies {@code subscribed}. Every further step reads at most one batch from where
 * the subscription lags — only while the session's queue is at most half full — keeps the
 * records of the channel's owner that pass the type filter, encodes them with their cursors and
 * hands them to {@link Subscription#advance}, which merges them with the live buffer and turns
 * live once caught up. A step never waits for the client: when the queue is full the job parks
 * until it drains.
 *
 * <p>Stepped by one worker at a time (the pool's queue hands it over); {@link #unpark} may be
 * called from any thread.
 */
final class ReplayJob {

  /** What the worker should do with the job after a step. */
  enum Outcome {
    /** Put it back at the end of the queue (others get their turn first). */
    CONTINUE,
    /** Wait until the session's queue has room ({@link Subscription#whenRoom}). */
    PARK,
    /** Finished: live, unrecoverable, failed or cancelled. */
    DONE
  }

  private static final Logger LOG = LoggerFactory.getLogger(ReplayJob.class);

  private final Subscription subscription;
  private final EventCodec<?> codec;
  private final Optional<byte[]> ownerKey;
  private final GatewayMetrics metrics;
  private final LongSupplier nanoTime;
  private final long stallNanos;
  private final long startedNanos;
  private final AtomicLong parkedToken = new AtomicLong();
  private volatile long lastProgressNanos;
  private long nextToken;
  private boolean checked;

  /**
   * @param subscription the subscription to bring live
   * @param codec the codec of the subscription's topic
   * @param metrics meters
   * @param nanoTime the clock (System::nanoTime)
   * @param stallTimeout how long the job may go without progress before it fails
   */
  ReplayJob(final Subscription subscription, final EventCodec<?> codec,
      final GatewayMetrics metrics, final LongSupplier nanoTime, final Duration stallTimeout) {
    this.subscription = subscription;
    this.codec = codec;
    this.ownerKey = subscription.owner().map(owner -> owner.getBytes(StandardCharsets.UTF_8));
    this.metrics = metrics;
    this.nanoTime = nanoTime;
    this.stallNanos = stallTimeout.toNanos();
    this.startedNanos = nanoTime.getAsLong();
    this.lastProgressNanos = startedNanos;
  }

  /** The subscription the job resumes. */
  Subscription subscription() {
    return subscription;
  }

  /** Takes one bounded step. */
  Outcome step(final PartitionReader reader) {
    if (subscription.isCancelled()) {
      return finished("cancelled");
    }
    try {
      if (!checked) {
        final Optional<ResumePlan.Reason> outside = checkBounds(reader);
        if (outside.isPresent()) {
          subscription.unrecoverable(outside.get());
          return finished("unrecoverable");
        }
        checked = true;
        lastProgressNanos = nanoTime.getAsLong();
        subscription.recoverable();
      }
      final Map<Integer, Long> from = subscription.lagging();
      List<EncodedEvent> events = List.of();
      Map<Integer, Long> reach = Map.of();
      boolean moved = false;
      if (!from.isEmpty() && subscription.mayRead()) {
        final PartitionReader.Batch batch = reader.read(codec.topic(), from);
        events = encode(batch.records(), subscription.floor());
        reach = batch.reach();
        moved = reach.entrySet().stream().anyMatch(e -> e.getValue() > from.getOrDefault(e.getKey(), Long.MAX_VALUE));
      }
      final Subscription.Progress progress = subscription.advance(events, reach);
      if (moved) {
        lastProgressNanos = nanoTime.getAsLong();
      }
      switch (progress) {
        case LIVE:
          metrics.replayDuration(Duration.ofNanos(nanoTime.getAsLong() - startedNanos));
          return finished("live");
        case CANCELLED:
          return finished("cancelled");
        case BLOCKED:
          return Outcome.PARK;
        default:
          return stalledTooLong() ? fail("the replay made no progress") : Outcome.CONTINUE;
      }
    } catch (LogTruncatedException e) {
      if (!subscription.hasReplied()) {
        subscription.unrecoverable(ResumePlan.Reason.RETENTION);
        return finished("unrecoverable");
      }
      return fail("events after the cursor were deleted by retention during the replay");
    } catch (KafkaException e) {
      LOG.debug("replay of {} failed a step: {}", subscription.channel().name(), e.toString());
      return stalledTooLong() ? fail("cannot read the log: " + e.getMessage()) : Outcome.CONTINUE;
    }
  }

  /** Marks the job parked; the token unparks it exactly once. Called by the stepping worker. */
  long park() {
    final long token = ++nextToken;
    parkedToken.set(token);
    return token;
  }

  /**
   * Unparks the job if {@code token} is its current parking (the first of "room" and "timeout"
   * wins). Any thread.
   */
  boolean unpark(final long token) {
    if (parkedToken.compareAndSet(token, 0)) {
      lastProgressNanos = nanoTime.getAsLong();
      return true;
    }
    return false;
  }

  /** The client did not make room in time: it is a slow consumer. */
  void stalled() {
    subscription.stalled();
    metrics.replayFinished("stalled");
  }

  /** Gives up (for the worker, on an unexpected failure). */
  Outcome fail(final String message) {
    subscription.fail(ErrorCode.INTERNAL, message);
    return finished("failed");
  }

  private Outcome finished(final String outcome) {
    metrics.replayFinished(outcome);
    return Outcome.DONE;
  }

  private boolean stalledTooLong() {
    return nanoTime.getAsLong() - lastProgressNanos > stallNanos;
  }

  private Optional<ResumePlan.Reason> checkBounds(final PartitionReader reader) {
    final Cursor from = subscription.requested().orElseThrow();
    final Map<Integer, PartitionReader.Bounds> bounds =
        reader.bounds(codec.topic(), from.offsets().keySet());
    for (final Map.Entry<Integer, Long> position : from.offsets().entrySet()) {
      final PartitionReader.Bounds range = bounds.get(position.getKey());
      if (range == null) {
        return Optional.of(ResumePlan.Reason.PARTITIONS_CHANGED);
      }
      if (position.getValue() < range.start()) {
        return Optional.of(ResumePlan.Reason.RETENTION);
      }
      if (position.getValue() > range.end()) {
        return Optional.of(ResumePlan.Reason.AHEAD_OF_LOG);
      }
    }
    return Optional.empty();
  }

  /**
   * The batch's events for this subscription, each with its cursor: the floor so far with the
   * record's partition moved past it (for a user channel, that partition alone).
   */
  private List<EncodedEvent> encode(final List<ConsumerRecord<byte[], byte[]>> records,
      final Map<Integer, Long> floor) {
    final TreeMap<Integer, Long> running = new TreeMap<>(floor);
    final Cursor seam = subscription.seam();
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
      if (event.isEmpty() || !event.get().owner().equals(subscription.owner())
          || !subscription.types().accepts(event.get().type())) {
        continue;
      }
      events.add(codec.encode(event.get(), record,
          Cursor.of(seam.epoch(), Cursor.FEED_SCOPE, running)));
    }
    return events;
  }
}
