package io.tidewire.bench.load;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The bench's WebSocket clients: many connections, each subscribing to one channel once open and
 * handing every later frame, with its receipt time, to a {@link FrameHandler}. Two kinds:
 * {@link WsFleet} on the JDK's client, and {@link FanoutNioFleet}, a minimal client on a few NIO
 * threads, for thousands of connections at a high frame rate.
 *
 * <p>Thread-safe. The handler is called on the fleet's threads, concurrently for different
 * connections and in order for one connection.
 */
public interface Fleet extends AutoCloseable {

  /** What a connection subscribes to. */
  record Subscription(String token, String channel, Optional<String> cursor) {

    /** Its {@code subscribe} frame (ref {@code s}). */
    public String frame() {
      return "{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"" + channel + "\""
          + cursor.map(c -> ",\"cursor\":\"" + c + "\"").orElse("") + "}";
    }
  }

  /** Receives the frames after the {@code subscribed} reply. */
  @FunctionalInterface
  interface FrameHandler {
    /**
     * @param connection index of the connection (order of opening)
     * @param frame the whole text frame, valid during this call only
     * @param receivedNanos {@link System#nanoTime()} when its last part arrived
     */
    void onFrame(int connection, Frame frame, long receivedNanos);
  }

  /**
   * Opens one connection per subscription, at most {@code concurrency} handshakes at a time, and
   * waits until every one got its {@code subscribed} reply.
   *
   * @throws IllegalStateException if some did not within {@code timeout}
   */
  void open(List<Subscription> subscriptions, int concurrency, Duration timeout)
      throws InterruptedException;

  /** Frames handed to the handler so far. */
  long frames();

  /** Connections the server closed. */
  int closedByServer();

  /** CPU time used so far by the fleet's threads: the load generator's cost. */
  long cpuNanos();

  /** Closes every connection (with a normal close frame) and stops the fleet's threads. */
  @Override
  void close();
}
