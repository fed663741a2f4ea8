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
 * frames and to abort it. Tyrus hides the Grizzly
 * connection, and its close frame for a client that never reads waits forever behind the unsent
 * data; only Grizzly's {@code terminateSilently()} drops such a connection.
 *
 * <p>{@link UpgradeGuard} registers the connection of each accepted upgrade under a random id,
 * which it passes to the handshake in the request header {@value #HEADER} (after removing any such
 * header the client sent); {@link HandshakeAuthenticator} claims it for the new session. An
 * unclaimed registration disappears when its connection closes.
 *
 * <p>Thread-safe.
 */
final class ConnectionRegistry {

  /** The internal request header that carries the id from the guard to the handshake. */
  static final String HEADER = "X-Tidewire-Connection";

  private final ConcurrentHashMap<String, Connection<?>> connections = new ConcurrentHashMap<>();

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
    return connection == null ? Optional.empty() : Optional.of(new RawConnection(connection));
  }

  /** Registrations not claimed yet and not closed (for tests). */
  int size() {
    return connections.size();
  }
}
