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

  /**
   * {@code join}: become a member of a broadcast/presence channel.
   *
   * @param ref request ref
   * @param channel the channel's name (valid syntax; not yet authorized)
   * @param self whether the member receives its own broadcasts
   * @param ack whether the member's broadcasts are acknowledged
   */
  record Join(String ref, String channel, boolean self, boolean ack) implements ClientFrame {
    public Join {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
    }
  }

  /**
   * {@code leave}: stop being a member of a channel (untracking first).
   *
   * @param ref request ref
   * @param channel the channel
   */
  record Leave(String ref, String channel) implements ClientFrame {
    public Leave {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
    }
  }

  /**
   * {@code broadcast}: send an event to every member of a joined channel.
   *
   * @param ref request ref
   * @param channel the channel
   * @param event the application's event name (valid syntax)
   * @param payload a JSON object as compact text
   */
  record Broadcast(String ref, String channel, String event, String payload) implements ClientFrame {
    public Broadcast {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(event, "event");
      Objects.requireNonNull(payload, "payload");
    }
  }

  /**
   * {@code track}: publish (or replace) this connection's presence in a joined channel.
   *
   * @param ref request ref
   * @param channel the channel
   * @param meta a JSON object as compact text
   * @param key the presence's key if the client chose one (the Supabase endpoint's
   *     {@code config.presence.key}); else the user id
   */
  record Track(String ref, String channel, String meta, Optional<String> key) implements ClientFrame {
    public Track {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(meta, "meta");
      Objects.requireNonNull(key, "key");
    }

    /** A track keyed by the user id (the Tidewire protocol's). */
    public Track(final String ref, final String channel, final String meta) {
      this(ref, channel, meta, Optional.empty());
    }
  }

  /**
   * {@code untrack}: remove this connection's presence from a joined channel.
   *
   * @param ref request ref
   * @param channel the channel
   */
  record Untrack(String ref, String channel) implements ClientFrame {
    public Untrack {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
    }
  }
}
