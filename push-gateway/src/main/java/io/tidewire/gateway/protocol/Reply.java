package io.tidewire.gateway.protocol;

import io.tidewire.gateway.broadcast.BroadcastMessage;
import io.tidewire.gateway.presence.Presence;
import io.tidewire.gateway.presence.PresenceDiff;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.apache.avro.generic.GenericContainer;

/**
 * What the server tells a client apart from events, in protocol-neutral terms: the session core
 * speaks these, and a codec writes them as frames ({@link FrameEncoder#encode} for the JSON
 * frames of protocol v1; a second protocol is a second codec over the same replies). Errors are
 * {@link ProtocolError}s. Events are not replies: the live tail encodes each event once for every
 * session that receives it.
 *
 * <p>Immutable values.
 */
public sealed interface Reply permits Reply.Pong, Reply.Subscribed, Reply.Snapshot,
    Reply.Unsubscribed, Reply.Authenticated, Reply.Joined, Reply.Left, Reply.BroadcastAck,
    Reply.Tracked, Reply.Untracked, Reply.Broadcast, Reply.PresenceChanged, ProtocolError {

  /**
   * The answer to a ping.
   *
   * @param ref the request's ref
   */
  record Pong(String ref) implements Reply {
    public Pong {
      Objects.requireNonNull(ref, "ref");
    }
  }

  /**
   * The subscription is active; the events that follow start right after {@code cursor}.
   *
   * @param ref the subscribe request's ref
   * @param channel the channel as the client named it
   * @param recovered whether the client's cursor was resumed from without a gap
   * @param cursor where the events that follow start
   */
  record Subscribed(String ref, Channel channel, boolean recovered, Cursor cursor) implements Reply {
    public Subscribed {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(cursor, "cursor");
    }
  }

  /**
   * A channel's current state, for a cursor that could not be resumed from; the events that follow
   * start right after {@code cursor}.
   *
   * @param kind the channel
   * @param cursor where the events that follow start (the one of the {@link Subscribed} before it)
   * @param data the state
   */
  record Snapshot(Channel.Kind kind, Cursor cursor, GenericContainer data) implements Reply {
    public Snapshot {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(cursor, "cursor");
      Objects.requireNonNull(data, "data");
    }
  }

  /**
   * The subscription ended on the client's request.
   *
   * @param ref the unsubscribe request's ref
   * @param channel the channel as the client named it
   */
  record Unsubscribed(String ref, Channel channel) implements Reply {
    public Unsubscribed {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
    }
  }

  /**
   * The session's token was replaced.
   *
   * @param ref the auth request's ref
   * @param expiresAt the new token's expiry
   */
  record Authenticated(String ref, Instant expiresAt) implements Reply {
    public Authenticated {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  /**
   * The connection joined a broadcast/presence channel.
   *
   * @param ref the join request's ref
   * @param channel the channel
   * @param presences the channel's presences when the join took effect
   */
  record Joined(String ref, String channel, List<Presence> presences) implements Reply {
    public Joined {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
      presences = List.copyOf(presences);
    }
  }

  /**
   * The connection left a channel.
   *
   * @param ref the leave request's ref
   * @param channel the channel
   */
  record Left(String ref, String channel) implements Reply {
    public Left {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
    }
  }

  /**
   * Kafka stored a broadcast of a channel joined with acks.
   *
   * @param ref the broadcast request's ref
   * @param channel the channel
   * @param id the message's id
   */
  record BroadcastAck(String ref, String channel, String id) implements Reply {
    public BroadcastAck {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(id, "id");
    }
  }

  /**
   * Kafka stored a presence.
   *
   * @param ref the track request's ref
   * @param channel the channel
   */
  record Tracked(String ref, String channel) implements Reply {
    public Tracked {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
    }
  }

  /**
   * Kafka stored a presence's removal (or there was none).
   *
   * @param ref the untrack request's ref
   * @param channel the channel
   */
  record Untracked(String ref, String channel) implements Reply {
    public Untracked {
      Objects.requireNonNull(ref, "ref");
      Objects.requireNonNull(channel, "channel");
    }
  }

  /**
   * A member's broadcast to a joined channel.
   *
   * @param message the message
   */
  record Broadcast(BroadcastMessage message) implements Reply {
    public Broadcast {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * Presences of a joined channel changed.
   *
   * @param diff the joins and leaves
   */
  record PresenceChanged(PresenceDiff diff) implements Reply {
    public PresenceChanged {
      Objects.requireNonNull(diff, "diff");
    }
  }
}
