package io.tidewire.processor.internals;

import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Remembers the changes one task has processed, so that a change the capture delivers again
 * (after a crash, with the same {@code source.lsn}, key and op) is recognised and dropped before
 * it yields any event or touches any state.
 *
 * <p>The store is a window store keyed by {@link EventIds#changeId}, each entry put at the
 * change's commit time ({@code source.ts_ms}), and bounded by that time: entries older than the
 * window behind the newest commit time seen are dropped segment by segment. Commit time, not wall
 * clock, is right here: a capture that was down for an hour redelivers changes committed just
 * before its crash, and the newest commit time seen has not moved while it was down. A duplicate
 * and its original share the record key, so they land in the same cdc partition and the same task.
 *
 * <p>Used by one stream thread (the task's), as Kafka Streams does.
 */
public final class Deduplicator {

  private final WindowStore<String, Long> seen;

  public Deduplicator(final WindowStore<String, Long> seen) {
    this.seen = Objects.requireNonNull(seen, "seen");
  }

  /**
   * The store: persistent (RocksDB, in segments that are dropped whole once older than the window,
   * so it is bounded on disk by commit time) with a changelog, so it survives a restart and a task
   * moving to another instance. Not in memory: a bulk UPDATE of millions of rows puts millions of
   * entries in the window, and restoring them into the heap could exhaust it; RocksDB keeps only
   * its block cache and memtables there. The changelog's format is the same as the in-memory
   * store's, so an instance upgraded from one restores the other's changelog.
   */
  public static StoreBuilder<WindowStore<String, Long>> store(final String name, final Duration window) {
    return Stores.windowStoreBuilder(
        Stores.persistentWindowStore(name, window, Duration.ofMillis(1), false),
        Serdes.String(), Serdes.Long());
  }

  /** True when this change was already processed (within the window). */
  public boolean seen(final ChangeEnvelope change) {
    return seen.fetch(change.changeId(), change.sourceTsMs()) != null;
  }

  /** Remembers this change as processed. */
  public void remember(final ChangeEnvelope change) {
    seen.put(change.changeId(), change.sourceTsMs(), change.sourceTsMs());
  }
}
