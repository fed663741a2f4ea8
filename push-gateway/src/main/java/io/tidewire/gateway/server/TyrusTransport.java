package io.tidewire.gateway.server;

import io.tidewire.gateway.session.OutboundFrame;
import io.tidewire.gateway.session.Transport;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} over a WebSocket session. Frames go as their shared, pre-encoded wire form
 * straight to the session's Grizzly connection ({@link RawConnection}) when the handshake handed
 * one over and may write (not behind an SSL filter), else through Tyrus's async remote; closes and
 * pings always go through Tyrus. No frame is written
 * after {@link #close}: a send and a close are ordered by one lock, so a close frame is never
 * followed by data.
 *
 * <p>Thread-safe.
 */
final class TyrusTransport implements Transport {

  private static final Logger LOG = LoggerFactory.getLogger(TyrusTransport.class);

  private final Session session;
  private final Optional<RawConnection> raw;
  private final Object lock = new Object();
  private boolean closing;

  TyrusTransport(final Session session, final Optional<RawConnection> raw) {
    this.session = session;
    this.raw = raw;
  }

  @Override
  public void send(final String text, final Consumer<Optional<Throwable>> done) {
    send(OutboundFrame.of(text), done);
  }

  /** Several frames as one raw write (gathered, not copied); through Tyrus one by one otherwise. */
  @Override
  public void send(final List<OutboundFrame> frames, final Consumer<Optional<Throwable>> done) {
    if (raw.isEmpty() || !raw.get().writesFrames()) {
      Transport.super.send(frames, done);
      return;
    }
    writeRaw(null, frames, done);
  }

  @Override
  public void send(final OutboundFrame frame, final Consumer<Optional<Throwable>> done) {
    if (raw.isEmpty() || !raw.get().writesFrames()) {
      session.getAsyncRemote().sendText(frame.text(), result -> done.accept(result.isOK()
          ? Optional.empty() : Optional.of(result.getException() != null ? result.getException()
              : new IOException("send failed"))));
      return;
    }
    writeRaw(frame, null, done);
  }

  /** Writes {@code frame}, or else {@code frames}, to the raw connection unless the session closes. */
  private void writeRaw(final OutboundFrame frame, final List<OutboundFrame> frames,
      final Consumer<Optional<Throwable>> done) {
    final Deferred completion = new Deferred(done);
    synchronized (lock) {
      if (closing || !session.isOpen()) {
        completion.release();
        completion.accept(Optional.of(new IOException("session closed")));
        return;
      }
      // Queued (or written) under the lock, so before any close frame.
      if (frame != null) {
        raw.get().write(frame.wire(), completion);
      } else {
        raw.get().write(frames, completion);
      }
    }
    completion.release();
  }

  @Override
  public void close(final CloseCode code) {
    synchronized (lock) {
      closing = true;
    }
    if (!session.isOpen()) {
      return;
    }
    if (raw.isPresent()) {
      // Tyrus would close the socket right after the frame: a client still sending would get a
      // reset, maybe before the frame. The session ends when the connection closes.
      raw.get().close(code);
      return;
    }
    try {
      session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code.code()), code.reason()));
    } catch (IOException | IllegalStateException e) {
      LOG.debug("closing {}: {}", session.getId(), e.toString());
    }
  }

  /**
   * Sends a WebSocket ping unless the session is closing; returns whether it went out. Never
   * blocks (Tyrus queues it on the connection like any write).
   */
  boolean ping(final ByteBuffer payload) {
    synchronized (lock) {
      if (closing || !session.isOpen()) {
        return false;
      }
      try {
        session.getAsyncRemote().sendPing(payload);
        return true;
      } catch (IOException | IllegalStateException | IllegalArgumentException e) {
        LOG.debug("ping to {} failed: {}", session.getId(), e.toString());
        return false;
      }
    }
  }

  @Override
  public boolean abort() {
    if (raw.isPresent()) {
      return raw.get().abort();
    }
    LOG.warn("cannot abort the connection of {}: no handle on it", session.getId());
    return false;
  }

  @Override
  public String id() {
    return session.getId();
  }

  /**
   * Holds back a completion that arrives while the sender still holds {@link #lock} (a write that
   * finishes at once), so callbacks — which may take other locks — never run under it.
   */
  private static final class Deferred implements Consumer<Optional<Throwable>> {
    private final Consumer<Optional<Throwable>> done;
    private Optional<Throwable> early;
    private boolean released;

    Deferred(final Consumer<Optional<Throwable>> done) {
      this.done = done;
    }

    @Override
    public void accept(final Optional<Throwable> result) {
      synchronized (this) {
        if (!released) {
          early = result;
          return;
        }
      }
      done.accept(result);
    }

    void release() {
      final Optional<Throwable> result;
      synchronized (this) {
        released = true;
        result = early;
        early = null;
      }
      if (result != null) {
        done.accept(result);
      }
    }
  }
}
