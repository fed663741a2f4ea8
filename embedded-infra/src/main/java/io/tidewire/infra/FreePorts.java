package io.tidewire.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Finds free loopback ports for servers that need a fixed port before they bind (embedded
 * servers, child processes). Stateless.
 */
public final class FreePorts {

  private FreePorts() {}

  /** Returns {@code port} when it is positive, else a port the OS reports free right now. */
  static int orFree(final int port) {
    return port > 0 ? port : any();
  }

  /** A loopback port the OS reports free right now. */
  public static int any() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }
}
