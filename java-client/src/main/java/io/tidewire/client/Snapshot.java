package io.tidewire.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * The current state of a channel, sent by the gateway when it could not resume from the client's
 * cursor ({@code recovered: false}), and on a subscribe without a cursor of a channel
 * {@link Channel#withInitialState() with the initial state}: the application should replace what
 * it shows with this state; the events that follow apply on top of it.
 *
 * <p>Immutable apart from {@code data} (see {@link Event}).
 *
 * @param channel the channel it describes
 * @param cursor the position the state is as of, if the gateway gave one
 * @param data the state (for {@code user}: current credit balance, active jobs, …)
 */
public record Snapshot(String channel, Optional<String> cursor, JsonNode data) {

  /** Checks that nothing is null. */
  public Snapshot {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(cursor, "cursor");
    Objects.requireNonNull(data, "data");
  }
}
