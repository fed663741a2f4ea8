package io.tidewire.client;

import io.tidewire.protocol.Protocol;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A channel to subscribe to, with an optional filter on event types.
 *
 * <p>{@link #user()} is the authenticated user's own events (the user is the token's {@code sub});
 * {@link #feed()} is the public feed. {@code types} are globs where {@code *} matches anything,
 * e.g. {@code "generation.*"}; empty means every type.
 *
 * <p>{@link #withInitialState()} (user channel only) asks for the user's state whenever the channel
 * is subscribed without a cursor: the gateway answers {@code subscribed}, then a {@link Snapshot}
 * consistent with its cursor, then live events (the frame carries {@code "snapshot": true}). With a
 * cursor the gateway resumes from it and sends no snapshot.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the channel's wire name, e.g. {@code "user"}
 * @param types type globs; empty for all types
 * @param initialState whether a subscribe without a cursor asks for the user's state
 */
public record Channel(String name, List<String> types, boolean initialState) {

  /** Wire name of the user channel. */
  public static final String USER = Protocol.USER_CHANNEL;
  /** Wire name of the feed channel. */
  public static final String FEED = Protocol.FEED_CHANNEL;

  /**
   * @throws IllegalArgumentException if the name or a type glob is blank, or if the initial state
   *     is asked for on a channel other than the user's (only the user channel has a state)
   */
  public Channel {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("channel name must not be blank");
    }
    if (initialState && !name.equals(USER) && !name.startsWith(Protocol.USER_CHANNEL_PREFIX)) {
      throw new IllegalArgumentException("only the user channel has an initial state, not " + name);
    }
    types = List.copyOf(types);
    for (final String type : types) {
      if (type.isBlank()) {
        throw new IllegalArgumentException("type globs must not be blank");
      }
    }
  }

  /** A channel without the initial state. */
  public Channel(final String name, final List<String> types) {
    this(name, types, false);
  }

  /** The user's own events, all types. */
  public static Channel user() {
    return new Channel(USER, List.of());
  }

  /** The public feed, all types. */
  public static Channel feed() {
    return new Channel(FEED, List.of());
  }

  /** Any channel by wire name, all types. */
  public static Channel named(final String name) {
    return new Channel(name, List.of());
  }

  /** This channel, limited to event types matching any of {@code globs}. */
  public Channel types(final String... globs) {
    return new Channel(name, Arrays.asList(globs), initialState);
  }

  /**
   * This channel, asking for the user's state ({@code snapshot}) whenever it is subscribed without a
   * cursor: on the first connection of a client without {@code resumeFrom} for it. Later connections
   * resume from the cursor the client holds by then, without a snapshot (unless the gateway cannot
   * resume from it).
   *
   * @throws IllegalArgumentException if this is not the user channel
   */
  public Channel withInitialState() {
    return new Channel(name, types, true);
  }
}
