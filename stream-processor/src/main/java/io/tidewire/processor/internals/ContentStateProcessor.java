package io.tidewire.processor.internals;

import io.tidewire.processor.ProcessorMetrics;
import io.tidewire.schemas.avro.FeedCounts;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.PublicRowEvent;
import io.tidewire.schemas.avro.RowChange;
import io.tidewire.schemas.avro.UserEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of each content item, keyed by {@code contentType:contentId}: who owns it, whether it
 * is public, and its like and comment counts. From it come
 *
 * <ul>
 *   <li>{@code feed.counts} for public content, coalesced: the first change after a quiet
 *       {@code interval} goes out at once, later ones wait until {@code interval} after the last
 *       {@code feed.counts} of the item, so an item gets at most one per interval, and the last one
 *       carries the true counts (content that becomes public again announces non-zero counts);</li>
 *   <li>{@code notification}s to the owner when someone else likes or comments (inserts only;
 *       none for the owner's own reactions, snapshot reads or deletes). A reaction that overtook its
 *       content row waits for it, up to {@code contentWait}.</li>
 *   <li>{@code row.<table>} events of reactions on {@code realtime.public-changes} while their
 *       content is public (as this processor knows it when the reaction comes): reactions to
 *       private content are not published, and nothing is published retroactively when content
 *       becomes public (or taken back when it becomes private). A reaction row that overtook its
 *       content row waits for it, up to {@code contentWait}.</li>
 * </ul>
 *
 * <p>State: {@value #CONTENT_STORE} (persistent; one entry per content item, deleted content kept
 * as a marker for {@code contentWait} so late unlikes are ignored) and {@value #TIMERS_STORE}
 * (in memory; only items with a deadline). Both changelogged. A wall-clock punctuation every
 * {@code tick} sends due counts and drops state of content that never showed up.
 *
 * <p>One instance per task, used by its stream thread only.
 */
public final class ContentStateProcessor implements Processor<String, ContentInput, String, Routed> {

  public static final String CONTENT_STORE = "feed.content";
  public static final String TIMERS_STORE = "feed.timers";
  public static final String FEED_COUNTS = "feed.counts";

  private static final Logger LOG = LoggerFactory.getLogger(ContentStateProcessor.class);

  private final long intervalMs;
  private final long contentWaitMs;
  private final Duration tick;
  private final ProcessorMetrics metrics;
  private final QuietCommits quiet;
  private ProcessorContext<String, Routed> context;
  private KeyValueStore<String, ContentState> contents;
  private KeyValueStore<String, ContentTimers> timers;

  ContentStateProcessor(final Duration interval, final Duration contentWait, final Duration tick,
      final ProcessorMetrics metrics, final QuietCommits quiet) {
    this.intervalMs = interval.toMillis();
    this.contentWaitMs = contentWait.toMillis();
    this.tick = Objects.requireNonNull(tick, "tick");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.quiet = Objects.requireNonNull(quiet, "quiet");
  }

  /** The processor with its stores. */
  public static ProcessorSupplier<String, ContentInput, String, Routed> supplier(
      final Duration interval, final Duration contentWait, final Duration tick,
      final ProcessorMetrics metrics, final QuietCommits quiet) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, ContentInput, String, Routed> get() {
        return new ContentStateProcessor(interval, contentWait, tick, metrics, quiet);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(
            Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CONTENT_STORE),
                Serdes.String(), InternalSerde.of(ContentState.class)),
            Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TIMERS_STORE),
                Serdes.String(), InternalSerde.of(ContentTimers.class)));
      }
    };
  }

  @Override
  public void init(final ProcessorContext<String, Routed> context) {
    this.context = context;
    this.contents = context.getStateStore(CONTENT_STORE);
    this.timers = context.getStateStore(TIMERS_STORE);
    context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::onTime);
  }

  @Override
  public void process(final Record<String, ContentInput> record) {
    quiet.arrived(context, record.timestamp());
    final String key = record.key();
    final long now = context.currentSystemTimeMs();
    final ContentState state = Optional.ofNullable(contents.get(key)).orElse(ContentState.UNKNOWN);
    final ContentTimers deadlines = currentTimers(key);
    if (record.value() instanceof ContentInput.Content content) {
      onContent(key, content, state, deadlines, now);
    } else if (record.value() instanceof ContentInput.Reaction reaction) {
      onReaction(key, reaction, state, deadlines, now);
    } else if (record.value() instanceof ContentInput.ReactionRow row) {
      onReactionRow(key, row, state, deadlines, now);
    } else {
      throw new IllegalStateException("unexpected content input " + record.value());
    }
  }

  private void onContent(final String key, final ContentInput.Content content,
      final ContentState state, final ContentTimers deadlines, final long now) {
    if (content.deleted()) {
      metrics.notificationsDropped(state.waiting().size());
      save(key, ContentState.deletedMarker(Optional.of(content.ownerId())),
          ContentTimers.EMPTY.expiresAt(now + contentWaitMs));
      return;
    }
    ContentState next = state.withContent(content.ownerId(), content.visible(),
        ContentState.Cause.of(content));
    for (final ContentInput.Reaction waiting : next.waiting()) {
      notifyOwner(content.ownerId(), waiting);
    }
    if (next.visible()) {
      next.waitingRows().forEach(row -> publish(key, row));
    }
    next = next.withoutWaiting();
    schedule(key, next, deadlines.expiresAt(ContentTimers.NONE), now);
  }

  private void onReaction(final String key, final ContentInput.Reaction reaction,
      final ContentState state, final ContentTimers deadlines, final long now) {
    if (state.deleted()) {
      LOG.debug("ignoring a {} of deleted content {}", reaction.kind().label(), key);
      return;
    }
    ContentState next = state.withReaction(reaction);
    if (reaction.notificationId().isPresent()) {
      if (next.ownerId().isPresent()) {
        notifyOwner(next.ownerId().get(), reaction);
      } else {
        next = next.withWaiting(reaction);
      }
    }
    ContentTimers nextDeadlines = deadlines;
    if (next.ownerId().isEmpty() && deadlines.expiresAtMs() == ContentTimers.NONE) {
      nextDeadlines = deadlines.expiresAt(now + contentWaitMs);
    }
    schedule(key, next, nextDeadlines, now);
  }

  /**
   * Publishes a reaction's row while its content is public; a reaction to content not seen yet
   * waits for it (like a notification), one to private or deleted content is not published.
   */
  private void onReactionRow(final String key, final ContentInput.ReactionRow row,
      final ContentState state, final ContentTimers deadlines, final long now) {
    if (state.deleted()) {
      LOG.debug("not publishing a row of {}: its content {} was deleted", row.table(), key);
      return;
    }
    if (state.ownerId().isPresent()) {
      if (state.visible()) {
        publish(key, row);
      }
      return;
    }
    save(key, state.withWaitingRow(row), deadlines.expiresAtMs() == ContentTimers.NONE
        ? deadlines.expiresAt(now + contentWaitMs) : deadlines);
  }

  /** Sends counts now if the item had a quiet interval, else sets when they may go. */
  private void schedule(final String key, final ContentState state, final ContentTimers deadlines,
      final long now) {
    if (!state.isDirty()) {
      save(key, state, deadlines.countsDue(ContentTimers.NONE));
    } else if (now - state.lastEmitMs() >= intervalMs) {
      save(key, sendCounts(key, state, now), deadlines.countsDue(ContentTimers.NONE));
    } else if (deadlines.countsDueMs() == ContentTimers.NONE) {
      save(key, state, deadlines.countsDue(state.lastEmitMs() + intervalMs));
    } else {
      save(key, state, deadlines);
    }
  }

  private void onTime(final long now) {
    final List<KeyValue<String, ContentTimers>> all = new ArrayList<>();
    try (KeyValueIterator<String, ContentTimers> it = timers.all()) {
      it.forEachRemaining(all::add);
    }
    for (final KeyValue<String, ContentTimers> entry : all) {
      final String key = entry.key;
      ContentTimers deadlines = entry.value;
      if (!ContentTimers.due(deadlines.expiresAtMs(), now) && !ContentTimers.due(deadlines.countsDueMs(), now)) {
        continue;
      }
      ContentState state = contents.get(key);
      if (state == null) {
        timers.delete(key);
        continue;
      }
      if (ContentTimers.due(deadlines.expiresAtMs(), now)) {
        if (state.deleted() || state.ownerId().isEmpty()) {
          if (!state.waiting().isEmpty() || !state.waitingRows().isEmpty()) {
            LOG.info("dropping {} notification(s) and {} reaction row(s) for {}: its content row "
                + "never came", state.waiting().size(), state.waitingRows().size(), key);
          }
          metrics.notificationsDropped(state.waiting().size());
          contents.delete(key);
          timers.delete(key);
          continue;
        }
        deadlines = deadlines.expiresAt(ContentTimers.NONE);
      }
      if (ContentTimers.due(deadlines.countsDueMs(), now)) {
        if (state.isDirty()) {
          state = sendCounts(key, state, now);
        }
        deadlines = deadlines.countsDue(ContentTimers.NONE);
      }
      save(key, state, deadlines);
    }
  }

  private ContentState sendCounts(final String key, final ContentState state, final long now) {
    final ContentState.Cause cause = state.cause().orElseThrow(
        () -> new IllegalStateException("counts of " + key + " changed without a cause"));
    final int colon = key.indexOf(':');
    final FeedEvent event = FeedEvent.newBuilder()
        .setId(EventIds.derived(FEED_COUNTS, key, cause.changeId()))
        .setType(FEED_COUNTS)
        .setTs(cause.ts())
        .setSource(cause.position().toAvro())
        .setData(FeedCounts.newBuilder()
            .setContentType(key.substring(0, colon))
            .setContentId(key.substring(colon + 1))
            // never below zero, even for reactions older than the processor's history
            .setLikes(Math.max(0, state.counts().likes()))
            .setComments(Math.max(0, state.counts().comments()))
            .build())
        .build();
    context.forward(new Record<>(key, new Routed.ToFeed(key, event), cause.ts()));
    metrics.eventEmitted(FEED_COUNTS);
    return state.emittedAt(now);
  }

  private void publish(final String key, final ContentInput.ReactionRow row) {
    final PublicRowEvent event = PublicRowMapper.event(row.eventId(), row.eventType(), row.ts(),
        row.position().toAvro(), RowChange.newBuilder()
            .setTable(row.table())
            .setOp(row.op())
            .setRow(row.row())
            .setOld(row.old().orElse(null))
            .build());
    context.forward(new Record<>(key, new Routed.ToPublic(key, event), row.ts()));
    metrics.eventEmitted(row.eventType());
  }

  private void notifyOwner(final String owner, final ContentInput.Reaction reaction) {
    if (owner.equals(reaction.actorId()) || reaction.notificationId().isEmpty()) {
      return;
    }
    final String id = reaction.notificationId().get();
    final UserEvent event = UserEvent.newBuilder()
        .setId(id)
        .setUserId(owner)
        .setType(Notifications.TYPE)
        .setTs(reaction.ts())
        .setSource(reaction.position().toAvro())
        .setData(Notifications.reaction(reaction, id))
        .build();
    context.forward(new Record<>(owner, new Routed.ToUser(owner, event), reaction.ts()));
    metrics.eventEmitted(Notifications.TYPE);
  }

  private ContentTimers currentTimers(final String key) {
    return Optional.ofNullable(timers.get(key)).orElse(ContentTimers.EMPTY);
  }

  private void save(final String key, final ContentState state, final ContentTimers deadlines) {
    contents.put(key, state);
    // every write is a changelog record: touch the timers only when they change
    final ContentTimers before = currentTimers(key);
    if (deadlines.equals(before)) {
      return;
    }
    if (deadlines.isEmpty()) {
      timers.delete(key);
    } else {
      timers.put(key, deadlines);
    }
  }
}
