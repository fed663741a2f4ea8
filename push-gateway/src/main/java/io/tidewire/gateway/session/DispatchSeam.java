package io.tidewire.gateway.session;

import io.tidewire.gateway.protocol.Cursor;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The point where a new subscription joins a live tail. The tail dispatches records one at a
 * time; a registration run through the seam happens between two records, so the subscriber
 * receives every record after the position it is told and none before it: no gap, no duplicate.
 *
 * <p>Implementations are thread-safe.
 */
public interface DispatchSeam {

  /**
   * Runs {@code registration} between two dispatched records, passing it the position the tail
   * dispatches next: in the partition that holds {@code routingKey} if a key is given, else in
   * every partition. The cursor's scope is {@link Cursor#FEED_SCOPE}; the caller sets its own.
   */
  void atSeam(Optional<String> routingKey, Consumer<Cursor> registration);

  /** A seam for tests: runs the registration at once with a fixed position. */
  static DispatchSeam fixed(final Cursor position) {
    return (key, registration) -> registration.accept(position);
  }
}
