package io.tidewire.launcher;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stand-in part for {@link ChildPartTest}, run as a child JVM: answers {@code /ready} on the
 * ops port it is given and, while {@code fail-first} starts remain (counted in a file of its
 * working directory, {@code -Dchild.starts=FILE}), exits with 2 just after its first readiness
 * answer, as a processor does after a fatal Kafka Streams error.
 *
 * <p>Arguments: {@code COMMAND --ops-port PORT}; {@code -Dchild.failFirst=N}.
 */
public final class FailingChild {

  private FailingChild() {
  }

  public static void main(final String[] args) throws IOException {
    final int port = Integer.parseInt(args[args.length - 1]);
    final Path startsFile = Path.of(System.getProperty("child.starts"));
    final int failFirst = Integer.getInteger("child.failFirst", 0);
    final int start = (Files.exists(startsFile)
        ? Integer.parseInt(Files.readString(startsFile).trim()) : 0) + 1;
    Files.writeString(startsFile, Integer.toString(start));
    final boolean fail = start <= failFirst;
    final HttpServer server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    final AtomicBoolean failing = new AtomicBoolean(fail);
    server.createContext("/ready", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
      if (failing.getAndSet(false)) {
        // a moment later, so the answer reaches the parent whole before the process is gone
        CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)
            .execute(() -> Runtime.getRuntime().halt(2));
      }
    });
    server.start();
  }
}
