package io.tidewire.processor.internals;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The wall-clock deadlines of one content item (value of the content-state processor's timer
 * store, which holds only items with a deadline, so the punctuation scans few entries). Immutable.
 *
 * @param countsDueMs when the next coalesced {@code feed.counts} may go out, or {@link #NONE}
 * @param expiresAtMs when state of content without a row (or deleted) is dropped, or {@link #NONE}
 */
public record ContentTimers(long countsDueMs, long expiresAtMs) {

  /** No deadline. */
  public static final long NONE = -1;
  /** No deadlines at all. */
  public static final ContentTimers EMPTY = new ContentTimers(NONE, NONE);

  @JsonIgnore
  boolean isEmpty() {
    return countsDueMs == NONE && expiresAtMs == NONE;
  }

  ContentTimers countsDue(final long due) {
    return new ContentTimers(due, expiresAtMs);
  }

  ContentTimers expiresAt(final long at) {
    return new ContentTimers(countsDueMs, at);
  }

  static boolean due(final long deadline, final long now) {
    return deadline != NONE && deadline <= now;
  }
}
