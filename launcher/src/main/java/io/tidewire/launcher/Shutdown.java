package io.tidewire.launcher;

import org.apache.logging.log4j.LogManager;

/**
 * Graceful stop on SIGTERM/SIGINT: the JVM's shutdown hook runs the given stop action, which
 * closes the parts in order, then flushes the logs. Log4j's own hook is disabled in log4j2.xml so
 * the parts can still log while they stop.
 */
final class Shutdown {

  private Shutdown() {}

  static void onSignal(final Runnable stop) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        stop.run();
      } finally {
        LogManager.shutdown();
      }
    }, "tidewire-shutdown"));
  }

  /** Exits with {@code code} from another thread (so a failing part's own thread can return). */
  static void exitAsync(final int code) {
    final Thread t = new Thread(() -> System.exit(code), "tidewire-exit");
    t.setDaemon(false);
    t.start();
  }
}
