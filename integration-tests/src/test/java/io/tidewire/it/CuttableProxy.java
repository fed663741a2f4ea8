package io.tidewire.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP proxy in front of the gateway that can cut every connection through it at once
 * — a network drop as the client sees it: no close frame, just a dead socket — and can refuse
 * new connections for a while ("offline").
 */
final class CuttableProxy implements AutoCloseable {

  private final ServerSocket server;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean offline = new AtomicBoolean();
  private volatile boolean closed;

  CuttableProxy(final int targetPort) {
    this.targetPort = targetPort;
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    final Thread acceptor = new Thread(this::acceptLoop, "proxy-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Cuts every open connection and refuses new ones until {@link #online()}. */
  void offline() {
    offline.set(true);
    cutAll();
  }

  void online() {
    offline.set(false);
  }

  /** Cuts every open connection; new ones are accepted. */
  void cutAll() {
    for (final Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        final Socket client = server.accept();
        if (offline.get()) {
          closeQuietly(client);
          continue;
        }
        final Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort),
            5000);
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pump(final Socket from, final Socket to) {
    final Thread t = new Thread(() -> {
      final byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // cut or closed: fall through and close both ends
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        sockets.remove(from);
        sockets.remove(to);
      }
    }, "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(final Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    cutAll();
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
