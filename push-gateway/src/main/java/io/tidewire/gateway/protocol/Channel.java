package io.tidewire.gateway.protocol;

import io.tidewire.protocol.Protocol;
import java.util.Objects;
import java.util.Optional;

/**
 * A channel as a client named it: {@code user} (the caller's own events), {@code user:<id>} (the
 * same, spelled with the caller's user id; any other id is forbidden), or {@code feed} (public
 * events). Whether {@code user:<id>} names the caller is decided by the session, which knows the
 * caller; this type only parses.
 *
 * @param kind which stream
 * @param userId the id written after {@code user:}, if any
 * @param name the name exactly as the client wrote it, echoed in replies
 */
public record Channel(Kind kind, Optional<String> userId, String name) {

  /** The streams. */
  public enum Kind {
    /** The caller's own events ({@code realtime.user-events}). */
    USER(Protocol.USER_CHANNEL),
    /** Public feed events ({@code realtime.feed-events}). */
    FEED(Protocol.FEED_CHANNEL),
    /** Changes of public rows ({@code realtime.public-changes}). */
    PUBLIC(Protocol.PUBLIC_CHANNEL);

    private final String wire;

    Kind(final String wire) {
      this.wire = wire;
    }

    /** The channel name used in event frames. */
    public String wire() {
      return wire;
    }
  }

  private static final int MAX_USER_ID_LENGTH = 128;

  public Channel {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(name, "name");
  }

  /** Parses a channel name; empty if it names no channel. */
  public static Optional<Channel> parse(final String name) {
    if (Protocol.USER_CHANNEL.equals(name)) {
      return Optional.of(new Channel(Kind.USER, Optional.empty(), name));
    }
    if (Protocol.FEED_CHANNEL.equals(name)) {
      return Optional.of(new Channel(Kind.FEED, Optional.empty(), name));
    }
    if (Protocol.PUBLIC_CHANNEL.equals(name)) {
      return Optional.of(new Channel(Kind.PUBLIC, Optional.empty(), name));
    }
    if (name.startsWith(Protocol.USER_CHANNEL_PREFIX)) {
      final String id = name.substring(Protocol.USER_CHANNEL_PREFIX.length());
      if (!id.isBlank() && id.length() <= MAX_USER_ID_LENGTH && id.strip().equals(id)) {
        return Optional.of(new Channel(Kind.USER, Optional.of(id), name));
      }
    }
    return Optional.empty();
  }
}
