package io.tidewire.processor;

import java.util.Locale;
import java.util.Objects;

/**
 * A table of reactions to feed content (likes, comments), configured as
 * {@code schema.table:kind} with kind {@code like} or {@code comment}. Its rows name the content
 * by {@code content_type} (a {@link FeedTable#contentType()}) and {@code content_id}, and the
 * reacting user by {@code user_id}; comment rows also have {@code id} and {@code body}. Inserts
 * count +1 and deletes −1 in {@code feed.counts}; inserts by someone other than the content's
 * owner notify the owner. Immutable.
 *
 * @param table the table
 * @param kind what a row is
 */
public record ReactionTable(TableId table, Kind kind) {

  /** What one row of a reaction table is. */
  public enum Kind {
    LIKE, COMMENT;

    /** {@code like} or {@code comment}, as configured and as the notification kind. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ReactionTable {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(kind, "kind");
  }

  /**
   * Parses one entry of {@code TIDEWIRE_REACTION_TABLES}.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  public static ReactionTable parse(final String entry) {
    final String[] parts = entry.split(":", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("expected schema.table:like|comment, got '" + entry + "'");
    }
    for (final Kind kind : Kind.values()) {
      if (kind.label().equals(parts[1])) {
        return new ReactionTable(TableId.parse(parts[0]), kind);
      }
    }
    throw new IllegalArgumentException("reaction kind must be like or comment, got '" + parts[1]
        + "' in '" + entry + "'");
  }
}
