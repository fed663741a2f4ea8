package io.tidewire.processor;

import java.util.Objects;

/**
 * A table of public feed content (columns {@code id}, {@code user_id}, {@code is_public},
 * {@code url}, {@code caption}, {@code created_at}), configured as
 * {@code schema.table:contentType}. Immutable.
 *
 * @param table the table
 * @param contentType content type named in feed events and keys, e.g. {@code video}
 */
public record FeedTable(TableId table, String contentType) {

  public FeedTable {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(contentType, "contentType");
    if (!contentType.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException(
          "content type must be lower-case letters, digits and _: '" + contentType + "'");
    }
  }

  /**
   * Parses one entry of {@code TIDEWIRE_FEED_TABLES}.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  public static FeedTable parse(final String entry) {
    final String[] parts = entry.split(":", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("expected schema.table:contentType, got '" + entry + "'");
    }
    return new FeedTable(TableId.parse(parts[0]), parts[1]);
  }
}
