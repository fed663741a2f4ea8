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
   * dispatches next in the partition that holds {@code routingKey}; empty if no key is given (a
   * channel spread over several partitions has no single position) or the position is unknown.
   */
  void atSeam(Optional<String> routingKey, Consumer<Optional<Cursor>> registration);

  /** A seam for tests and for channels without a tail: runs the registration at once, no position. */
  static DispatchSeam immediate() {
    return (key, registration) -> registration.accept(Optional.empty());
  }
}
