package io.tidewire.processor.internals;

import io.tidewire.processor.FeedTable;
import io.tidewire.processor.OwnedTable;
import io.tidewire.processor.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything that happens to one change record of one table, as a pure function: decode the
 * envelope, then map it for the user stream (when the table is user-owned) and for the feed (when
 * it is a feed table). A table may be both. Thread-safe (stateless).
 */
public final class TableRouter {

  private final TableId table;
  private final Optional<UserEventMapper> userEvents;
  private final Optional<FeedEventMapper> feedEvents;

  public TableRouter(final TableId table, final Optional<OwnedTable> owned, final Optional<FeedTable> feed) {
    this.table = Objects.requireNonNull(table, "table");
    owned.ifPresent(o -> require(o.table()));
    feed.ifPresent(f -> require(f.table()));
    this.userEvents = owned.map(UserEventMapper::new);
    this.feedEvents = feed.map(FeedEventMapper::new);
  }

  public TableId table() {
    return table;
  }

  /** True when changes of this table go to the user stream. */
  public boolean routesToUsers() {
    return userEvents.isPresent();
  }

  /** True when changes of this table go to the feed. */
  public boolean routesToFeed() {
    return feedEvents.isPresent();
  }

  /**
   * Routes one non-tombstone change record.
   *
   * @return the events, user events first (often none, e.g. a private video)
   * @throws DecodeException when the record cannot be decoded or mapped
   */
  public List<Routed> route(final byte[] key, final byte[] value) {
    final ChangeEnvelope change = EnvelopeDecoder.decode(table, key, value);
    final List<Routed> out = new ArrayList<>(2);
    userEvents.flatMap(m -> m.map(change)).ifPresent(out::add);
    feedEvents.ifPresent(m -> out.addAll(m.map(change)));
    return out;
  }

  private void require(final TableId other) {
    if (!table.equals(other)) {
      throw new IllegalArgumentException("mapping for " + other + " given to the router of " + table);
    }
  }
}
