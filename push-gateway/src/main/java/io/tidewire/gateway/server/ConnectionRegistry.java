package io.tidewire.gateway.server;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.glassfish.grizzly.CloseListener;
import org.glassfish.grizzly.Closeable;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.ICloseType;

/**
 * Hands a WebSocket session its Grizzly connection (a {@link RawConnection}), to write pre-encoded
 * frames, to close it with a {@link LingeringClose} and to abort it. Tyrus hides the Grizzly
 * connection, and its close frame for a client that never reads waits forever behind the unsent
 * data; only Grizzly's {@code terminateSilently()} drops such a connection.
 *
 * <p>{@link UpgradeGuard} registers the connection of each accepted upgrade under a random id,
 * which it passes to the handshake in the request header {@value #HEADER} (after removing any such
 * header the client sent); {@link HandshakeAuthenticator} claims it for the new session. An
 * unclaimed registration disappears when its connection closes.
 *
 * <p>When the listener's chain encrypts (an SSL filter), {@link #rawFramesOff()} is called at start:
 * the connections handed out then only abort, and every frame goes through Tyrus, so no frame
 * is ever written past the SSL filter in clear.
 *
 * <p>Thread-safe.
 */
final class ConnectionRegistry {

  /** The internal request header that carries the id from the guard to the handshake. */
  static final String HEADER = "X-Tidewire-Connection";

  private final ConcurrentHashMap<String, Connection<?>> connections = new ConcurrentHashMap<>();
  private final LingeringClose lingeringClose;
  private volatile boolean rawFrames = true;

  ConnectionRegistry(final LingeringClose lingeringClose) {
    this.lingeringClose = lingeringClose;
  }

  /** How the connections handed out close. */
  LingeringClose lingeringClose() {
    return lingeringClose;
  }

  /** From now on, connections handed out do not write frames (the chain has an SSL filter). */
  void rawFramesOff() {
    rawFrames = false;
  }

  /** Whether connections handed out write pre-encoded frames themselves. */
  boolean rawFrames() {
    return rawFrames;
  }

  /** Registers a connection; returns its id. */
  String register(final Connection<?> connection) {
    final String id = UUID.randomUUID().toString();
    connections.put(id, connection);
    connection.addCloseListener(
        (CloseListener<Closeable, ICloseType>) (closeable, type) -> connections.remove(id));
    return id;
  }

  /** Takes the registration of {@code id}: its connection, to write to and to abort. */
  Optional<RawConnection> claim(final String id) {
    final Connection<?> connection = connections.remove(id);
    return connection == null ? Optional.empty() : Optional.of(new RawConnection(connection, rawFrames, lingeringClose));
  }

  /** Registrations not claimed yet and not closed (for tests). */
  int size() {
    return connections.size();
  }
}
