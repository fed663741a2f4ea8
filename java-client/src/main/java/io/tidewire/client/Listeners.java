package io.tidewire.client;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * The application's callbacks. Immutable.
 *
 * @param onEvent each event, once
 * @param onSnapshot each snapshot
 * @param onSubscribed each confirmed subscription
 * @param onError each error report
 * @param onState each state change
 */
record Listeners(Consumer<Event> onEvent, Consumer<Snapshot> onSnapshot,
    Consumer<Subscribed> onSubscribed, Consumer<ClientError> onError,
    Consumer<ConnectionState> onState) {

  /** Checks that nothing is null. */
  Listeners {
    Objects.requireNonNull(onEvent, "onEvent");
    Objects.requireNonNull(onSnapshot, "onSnapshot");
    Objects.requireNonNull(onSubscribed, "onSubscribed");
    Objects.requireNonNull(onError, "onError");
    Objects.requireNonNull(onState, "onState");
  }
}
