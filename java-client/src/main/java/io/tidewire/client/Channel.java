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
 * <p>Immutable and thread-safe.
 *
 * @param name the channel's wire name, e.g. {@code "user"}
 * @param types type globs; empty for all types
 */
public record Channel(String name, List<String> types) {

  /** Wire name of the user channel. */
  public static final String USER = Protocol.USER_CHANNEL;
  /** Wire name of the feed channel. */
  public static final String FEED = Protocol.FEED_CHANNEL;

  /**
   * @throws IllegalArgumentException if the name or a type glob is blank
   */
  public Channel {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("channel name must not be blank");
    }
    types = List.copyOf(types);
    for (final String type : types) {
      if (type.isBlank()) {
        throw new IllegalArgumentException("type globs must not be blank");
      }
    }
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
    return new Channel(name, Arrays.asList(globs));
  }
}
