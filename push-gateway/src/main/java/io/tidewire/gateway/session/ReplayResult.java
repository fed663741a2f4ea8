package io.tidewire.gateway.session;

import io.tidewire.gateway.recovery.LogRange;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a replay worker found for a {@link ReplayRead}: an input of the session core.
 *
 * <p>Immutable values.
 */
public sealed interface ReplayResult {

  /** The subscription the read was for. */
  SubscriptionId id();

  /**
   * The answer to a {@link ReplayRead.Check}.
   *
   * @param id the subscription
   * @param bounds the readable range of each partition the log has of those asked
   */
  record Checked(SubscriptionId id, Map<Integer, LogRange> bounds) implements ReplayResult {
    public Checked {
      Objects.requireNonNull(id, "id");
      bounds = Map.copyOf(bounds);
    }
  }

  /**
   * The answer to a {@link ReplayRead.Batch}.
   *
   * @param id the subscription
   * @param events the subscription's events among the records read, in read order, encoded
   * @param reach per partition read, the position after the read
   */
  record Read(SubscriptionId id, List<EncodedEvent> events, Map<Integer, Long> reach)
      implements ReplayResult {
    public Read {
      Objects.requireNonNull(id, "id");
      events = List.copyOf(events);
      reach = Map.copyOf(reach);
    }
  }

  /**
   * Retention deleted records at a position the read asked for: the gap cannot be filled.
   *
   * @param id the subscription
   */
  record Truncated(SubscriptionId id) implements ReplayResult {
    public Truncated {
      Objects.requireNonNull(id, "id");
    }
  }

  /**
   * The read failed.
   *
   * @param id the subscription
   * @param message why
   * @param retriable whether reading again may succeed (a broker hiccup), until the recovery
   *     timeout; otherwise the replay fails at once
   */
  record Failed(SubscriptionId id, String message, boolean retriable) implements ReplayResult {
    public Failed {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(message, "message");
    }
  }
}
