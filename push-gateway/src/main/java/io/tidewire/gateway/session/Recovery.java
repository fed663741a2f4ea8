package io.tidewire.gateway.session;

import io.tidewire.schemas.avro.UserState;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What sessions need to resume subscriptions: replays of a channel from a cursor, and a snapshot
 * of a user's current state. Implemented over the replay pool and the user state store.
 *
 * <p>Implementations are thread-safe and never block the caller.
 */
public interface Recovery {

  /** Replays from the log. */
  Replays replays();

  /**
   * Takes a snapshot of {@code userId}'s state that reflects at least every state record committed
   * before this call; exactly one callback runs, later, on another thread.
   *
   * @param ready gets the state, empty if the user has none
   * @param failed gets the reason if no snapshot could be taken in time
   */
  void snapshot(String userId, Consumer<Optional<UserState>> ready, Consumer<String> failed);
}
