package io.tidewire.gateway.server;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Counts WebSocket sessions globally, per user and per client address, and admits a new one only
 * under every cap. An admission is held until {@link Admission#release()} (the connection's close);
 * releasing twice releases once.
 *
 * <p>Thread-safe: one lock, held only to count.
 */
final class ConnectionCaps {

  /** Which cap was full; its name is the metric's {@code reason} tag. */
  enum Refusal {
    GLOBAL("global"), USER("user"), ADDRESS("address");

    private final String tag;

    Refusal(final String tag) {
      this.tag = tag;
    }

    String tag() {
      return tag;
    }
  }

  /** A session counted against the caps. */
  interface Admission {
    void release();
  }

  private final int maxTotal;
  private final int maxPerUser;
  private final int maxPerAddress;
  private final Map<String, Integer> perUser = new HashMap<>();
  private final Map<String, Integer> perAddress = new HashMap<>();
  private int total;

  /** @param maxPerAddress 0 for no limit per address */
  ConnectionCaps(final int maxTotal, final int maxPerUser, final int maxPerAddress) {
    this.maxTotal = maxTotal;
    this.maxPerUser = maxPerUser;
    this.maxPerAddress = maxPerAddress;
  }

  /**
   * Admits a session of {@code user} from {@code address}, or says which cap is full (the first
   * of global, user, address).
   */
  synchronized Result admit(final String user, final String address) {
    if (total >= maxTotal) {
      return new Result.Refused(Refusal.GLOBAL);
    }
    if (perUser.getOrDefault(user, 0) >= maxPerUser) {
      return new Result.Refused(Refusal.USER);
    }
    final boolean countAddress = maxPerAddress > 0;
    if (countAddress && perAddress.getOrDefault(address, 0) >= maxPerAddress) {
      return new Result.Refused(Refusal.ADDRESS);
    }
    total++;
    perUser.merge(user, 1, Integer::sum);
    if (countAddress) {
      perAddress.merge(address, 1, Integer::sum);
    }
    return new Result.Admitted(new Admission() {
      private boolean released;

      @Override
      public void release() {
        synchronized (ConnectionCaps.this) {
          if (released) {
            return;
          }
          released = true;
          total--;
          perUser.computeIfPresent(user, (u, n) -> n == 1 ? null : n - 1);
          if (countAddress) {
            perAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
          }
        }
      }
    });
  }

  /** Sessions counted now. */
  synchronized int total() {
    return total;
  }

  /** Sessions of {@code user} counted now. */
  synchronized int ofUser(final String user) {
    return perUser.getOrDefault(user, 0);
  }

  /** What {@link #admit} decided. */
  sealed interface Result {
    record Admitted(Admission admission) implements Result {}

    record Refused(Refusal refusal) implements Result {}

    /** The cap that was full, if refused. */
    default Optional<Refusal> refused() {
      return this instanceof Refused refused ? Optional.of(refused.refusal()) : Optional.empty();
    }
  }
}
