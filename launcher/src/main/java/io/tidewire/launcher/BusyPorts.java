package io.tidewire.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before anything starts, that the ports a command will listen on are free, so that a busy
 * port is one line naming it and its option instead of a stack trace from whichever server tried
 * to bind it first. (A port can still be taken between the check and the bind; then the server's
 * own error stands.) Stateless.
 */
final class BusyPorts {

  private BusyPorts() {}

  /** A port a command will listen on: its option, interface and number (0: any free port). */
  record Wanted(String option, String host, int port) {}

  /**
   * One line per wanted port that is in use (or cannot be bound); empty when all are free.
   *
   * @param wanted the ports, in the order to report them
   */
  static List<String> find(final List<Wanted> wanted) {
    final List<String> busy = new ArrayList<>();
    for (final Wanted w : wanted) {
      if (w.port() == 0) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true); // as the servers do: a socket in TIME_WAIT is no obstacle
        socket.bind(new InetSocketAddress(w.host(), w.port()));
      } catch (IOException e) {
        busy.add("port " + w.port() + " on " + w.host() + " (" + w.option() + ") is in use: "
            + "stop what listens there or choose another with " + w.option() + " PORT");
      }
    }
    return busy;
  }
}
