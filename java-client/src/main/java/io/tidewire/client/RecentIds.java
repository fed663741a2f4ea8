package io.tidewire.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded LRU set of recently handled event keys, used to drop duplicates (delivery from the
 * gateway is at-least-once: a replay may resend events around a reconnect). A key that is looked
 * up or added again becomes the most recent; when full, adding a new key evicts the least recent.
 *
 * <p>Not thread-safe: the client confines it to its own thread.
 */
final class RecentIds {

  private final int capacity;
  private final Map<String, Boolean> keys;

  /** @param capacity how many keys to remember, at least 1 */
  RecentIds(final int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
    this.keys = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(final Map.Entry<String, Boolean> eldest) {
        return size() > RecentIds.this.capacity;
      }
    };
  }

  /** Whether {@code key} was added and not evicted since; a hit makes it the most recent. */
  boolean contains(final String key) {
    return keys.get(key) != null;
  }

  /** Remembers {@code key} as the most recent; returns false if it was already there. */
  boolean add(final String key) {
    return keys.put(key, Boolean.TRUE) == null;
  }

  /** How many keys are remembered now. */
  int size() {
    return keys.size();
  }

  /** The most keys remembered at once. */
  int capacity() {
    return capacity;
  }
}
