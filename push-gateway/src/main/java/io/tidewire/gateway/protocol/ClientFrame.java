package io.tidewire.gateway.protocol;

import java.util.Objects;
import java.util.Optional;

/**
 * A well-formed client request. Produced by {@link FrameDecoder}; every variant carries the
 * {@code ref} that replies echo.
 */
public sealed interface ClientFrame {

  /** The request's ref. */
  String ref();

  /**
   * {@code subscribe}: start receiving a channel's events.
   *
   * @param ref request ref
   * @param channel the channel
   * @param cursor where the client left off, if it sent one (the gateway replays from it)
   * @param types which event types to deliver
   * @param unsigned whether the client sent a cursor of the unsigned format of earlier releases
   *     (then {@code cursor} is empty: it is resumed without recovery)
   * @param snapshot whether the client asked for the user's state in case the subscription has no
   *     position to continue from (no cursor); only on the user channel
   * @throws IllegalArgumentException if {@code snapshot} is asked for on the feed
   */
  record Subscribe(String ref, Channel channel, Optional<Cursor> cursor, TypeFilter types,
      boolean unsigned, boolean snapshot) implements ClientFrame {
    public Subscribe {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(cursor, "cursor");
      Objects.requireNonNull(types, "types");
      if (snapshot && channel.kind() != Channel.Kind.USER) {
        throw new IllegalArgumentException("a snapshot exists only for the user channel");
      }
    }

    /** A subscribe with a current cursor, or none, and no snapshot asked for. */
    public Subscribe(final String ref, final Channel channel, final Optional<Cursor> cursor,
        final TypeFilter types) {
      this(ref, channel, cursor, types, false, false);
    }
  }

  /**
   * {@code unsubscribe}: stop receiving a channel's events.
   *
   * @param ref request ref
   * @param channel the channel
   */
  record Unsubscribe(String ref, Channel channel) implements ClientFrame {
    public Unsubscribe {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
    }
  }

  /**
   * {@code ping}: answered with {@code pong}.
   *
   * @param ref request ref
   */
  record Ping(String ref) implements ClientFrame {
    public Ping {
      Objects.requireNonNull(ref, "ref");
    }
  }

  /**
   * {@code auth}: replace the session's token before it expires.
   *
   * @param ref request ref
   * @param token the new JWT
   */
  record Auth(String ref, String token) implements ClientFrame {
    public Auth {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(token, "token");
    }
  }
}
