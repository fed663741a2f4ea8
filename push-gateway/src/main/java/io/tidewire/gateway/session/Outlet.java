package io.tidewire.gateway.session;

import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.gateway.protocol.FrameEncoder;
import io.tidewire.gateway.protocol.ProtocolError;
import io.tidewire.gateway.protocol.Reply;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import java.util.List;
import java.util.Optional;

/**
 * How a {@link ClientSession}'s output leaves: the codec that writes the core's replies and events
 * as frames, the queue they go to, and what ending the session means. The Tidewire protocol's
 * outlet ({@link #v1}) owns a whole connection: its own queue, and ending the session closes the
 * socket. A Phoenix channel's outlet (package {@code phoenix}) shares its connection's queue with
 * the connection's other channels, writes Supabase's frames, and ending it ends only the channel.
 *
 * <p>Implementations are thread-safe; the session calls them from its draining thread only.
 */
public interface Outlet {

  /** The queue frames go to (owned by the outlet's connection). */
  OutboundQueue queue();

  /** The frame for a reply of the core, if this protocol sends one. */
  Optional<OutboundFrame> reply(Reply reply);

  /** The frames for an event of the session's subscriptions: none if this protocol does not send it to the session. */
  List<OutboundFrame> event(EncodedEvent event);

  /** Whether the session owns the connection: ending the session closes the socket. */
  boolean ownsConnection();

  /**
   * The session ends for {@code error} without owning the connection: tell the client (after
   * what is queued) and end only this session. Not called for an outlet that owns its connection.
   */
  void ended(ProtocolError error);

  /**
   * The session closes with {@code code} (the server goes away) without owning the connection:
   * close the connection it shares. Not called for an outlet that owns its connection.
   */
  void close(CloseCode code);

  /** The Tidewire v1 protocol: JSON frames of {@link FrameEncoder}; the session owns the connection. */
  static Outlet v1(final OutboundQueue queue, final CursorCodec cursors) {
    return new Outlet() {
      @Override
      public OutboundQueue queue() {
        return queue;
      }

      @Override
      public Optional<OutboundFrame> reply(final Reply reply) {
        return Optional.of(OutboundFrame.of(FrameEncoder.encode(reply, cursors)));
      }

      @Override
      public List<OutboundFrame> event(final EncodedEvent event) {
        return List.of(event.out());
      }

      @Override
      public boolean ownsConnection() {
        return true;
      }

      @Override
      public void ended(final ProtocolError error) {
        throw new IllegalStateException("a v1 session owns its connection");
      }

      @Override
      public void close(final CloseCode code) {
        throw new IllegalStateException("a v1 session owns its connection");
      }
    };
  }
}
