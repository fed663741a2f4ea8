package io.tidewire.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds free loopback ports for servers that need a fixed port before they bind (embedded
 * servers, child processes). Thread-safe.
 *
 * <p>A port is found free and then released, so something else may take it before its server
 * binds. The OS's ephemeral range (the ports of outgoing connections and of {@code bind(0)}) is
 * where that happens all the time on a busy machine: a test's client connection once took a
 * broker's port in the instant between the probe and the broker's bind. So ports are drawn at
 * random from below that range, where only an explicit choice lands, and never handed out twice
 * by this JVM.
 */
public final class FreePorts {

  /** Lowest port drawn: above the registered services most machines run. */
  static final int LOW = 10_000;
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int ATTEMPTS = 200;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /** Returns {@code port} when it is positive, else a port the OS reports free right now. */
  static int orFree(final int port) {
    return port > 0 ? port : any();
  }

  /**
   * A loopback port the OS reports free right now, below the ephemeral range when there is room
   * there (else one the OS picks).
   */
  public static int any() {
    final int high = ephemeralLow().orElse(32_768) - 1;
    if (high - LOW >= 1_000) {
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        final int port = ThreadLocalRandom.current().nextInt(LOW, high + 1);
        if (!HANDED_OUT.contains(port) && bindable(port) && HANDED_OUT.add(port)) {
          return port;
        }
      }
    }
    return osPicked();
  }

  /** The first port of the OS's ephemeral range, where Linux says it. */
  static Optional<Integer> ephemeralLow() {
    try {
      // by lines: readString trusts the size procfs reports, and read "3" of "32768\t60999"
      final String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
      return Optional.of(Integer.parseInt(range[0]));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean bindable(final int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int osPicked() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }
}
