package io.tidewire.gateway.protocol;

import java.time.Instant;
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
    Reply.Unsubscribed, Reply.Authenticated, ProtocolError {

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
}
