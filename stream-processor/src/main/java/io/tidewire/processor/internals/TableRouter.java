package io.tidewire.processor.internals;

import io.tidewire.processor.BalanceTable;
import io.tidewire.processor.FeedTable;
import io.tidewire.processor.OwnedTable;
import io.tidewire.processor.ReactionTable;
import io.tidewire.processor.TableId;
import io.tidewire.processor.TransactionTable;
import io.tidewire.processor.internals.Routed.Output;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything that happens to one change record of one table, as pure functions: decode the
 * envelope, then map it for each role the table has — user-owned (user events), feed (feed events,
 * content access, and content rows for the content-state processor), credit balance or transactions (credits
 * join), reactions (content-state processor), balance or jobs of the user state (user-state fold).
 * A table may have several roles. Thread-safe (stateless).
 */
public final class TableRouter {

  private final TableId table;
  private final List<ChangeMapper> mappers;
  private final Set<Output> outputs;

  private TableRouter(final TableId table, final List<ChangeMapper> mappers, final Set<Output> outputs) {
    this.table = table;
    this.mappers = List.copyOf(mappers);
    this.outputs = Collections.unmodifiableSet(EnumSet.copyOf(outputs));
  }

  /** A router of {@code table} with no roles yet. */
  public static Builder builder(final TableId table) {
    return new Builder(table);
  }

  public TableId table() {
    return table;
  }

  /**
   * True when changes of this table go to {@code output} (dead letters aside: every table may
   * have them).
   */
  public boolean routesTo(final Output output) {
    return outputs.contains(output);
  }

  /**
   * Decodes one non-tombstone change record.
   *
   * @throws DecodeException when it does not follow the envelope contract
   */
  public ChangeEnvelope decode(final byte[] key, final byte[] value) {
    return EnvelopeDecoder.decode(table, key, value);
  }

  /**
   * Maps one decoded change for every role of the table.
   *
   * @return what to forward, in the order the roles were added; often nothing, e.g. for a
   *     private video without reactions configured
   * @throws DecodeException when the row lacks the columns a role needs
   */
  public List<Routed> map(final ChangeEnvelope change) {
    final List<Routed> out = new ArrayList<>(2);
    for (final ChangeMapper mapper : mappers) {
      out.addAll(mapper.map(change));
    }
    return out;
  }

  /** Collects the roles of one table. Not thread-safe; build once. */
  public static final class Builder {
    private final TableId table;
    private final List<ChangeMapper> mappers = new ArrayList<>();
    private final Set<Output> outputs = EnumSet.noneOf(Output.class);

    private Builder(final TableId table) {
      this.table = Objects.requireNonNull(table, "table");
    }

    /** Changes become events for the owner. */
    public Builder owned(final OwnedTable owned) {
      return add(owned.table(), new UserEventMapper(owned), Output.USER_EVENTS);
    }

    /**
     * Every change also becomes a {@code row.<table>} event for the user in {@code ownerColumn}:
     * the whole row, before and after, next to the table's other roles.
     */
    public Builder rows(final TableId rows, final String ownerColumn) {
      return owned(new OwnedTable(rows, ownerColumn, Optional.empty()));
    }

    /** Changes of public rows become {@code row.<table>} events on the public changes. */
    public Builder publicRows(final FeedTable feed) {
      return add(feed.table(), new PublicRowMapper(feed), Output.PUBLIC_CHANGES);
    }

    /**
     * Every reaction change goes to the content-state processor, which publishes it as a
     * {@code row.<table>} event on the public changes while its content is public.
     */
    public Builder reactionRows(final ReactionTable reactions) {
      return add(reactions.table(), new ReactionRowMapper(reactions), Output.CONTENT);
    }

    /** Changes become feed events (published, removed). */
    public Builder feed(final FeedTable feed) {
      return add(feed.table(), new FeedEventMapper(feed), Output.FEED_EVENTS);
    }

    /** Changes feed the content-state processor (owner, visibility). */
    public Builder content(final FeedTable feed) {
      return add(feed.table(), new ContentRowMapper(feed), Output.CONTENT);
    }

    /** Changes become who may see the row now, on {@code realtime.content-access}. */
    public Builder contentAccess(final FeedTable feed) {
      return add(feed.table(), new ContentAccessMapper(feed), Output.CONTENT_ACCESS);
    }

    /** Balance changes feed the credits join. */
    public Builder balance(final BalanceTable balance) {
      return add(balance.table(), new BalanceChangeMapper(balance), Output.CREDITS);
    }

    /** Inserted transactions feed the credits join. */
    public Builder transactions(final TransactionTable transactions) {
      return add(transactions.table(), new CreditTransactionMapper(transactions), Output.CREDITS);
    }

    /** Reactions feed the content-state processor (counts, notifications). */
    public Builder reactions(final ReactionTable reactions) {
      return add(reactions.table(), new ReactionMapper(reactions), Output.CONTENT);
    }

    /** The balance and the user's deletion feed the user-state fold. */
    public Builder balanceState(final BalanceTable balance) {
      return add(balance.table(), new BalanceStateMapper(balance), Output.USER_STATE);
    }

    /**
     * Job changes feed the user-state fold, carrying the owner's events, which the fold sends: use
     * instead of {@link #owned} for a job table when the user state is on.
     */
    public Builder jobState(final OwnedTable owned, final JobStateMapper.Kind kind) {
      return add(owned.table(), new JobStateMapper(owned, kind), Output.USER_STATE);
    }

    /** True when no role was added. */
    public boolean isEmpty() {
      return mappers.isEmpty();
    }

    public TableRouter build() {
      if (mappers.isEmpty()) {
        throw new IllegalStateException("table " + table + " has no role");
      }
      return new TableRouter(table, mappers, outputs);
    }

    private Builder add(final TableId other, final ChangeMapper mapper, final Output output) {
      if (!table.equals(other)) {
        throw new IllegalArgumentException("mapping for " + other + " given to the router of " + table);
      }
      mappers.add(mapper);
      outputs.add(output);
      return this;
    }
  }
}
