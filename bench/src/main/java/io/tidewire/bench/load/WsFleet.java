package io.tidewire.bench.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many WebSocket connections on one JDK {@link HttpClient}: one selector thread and a small
 * executor for all of them, no thread per connection, so the load generator stays light next to
 * the gateway it measures. Each connection subscribes to one channel on open and hands every
 * later text frame, with its receipt time, to a {@link FrameHandler}.
 *
 * <p>Thread-safe. The handler is called on the fleet's executor threads, concurrently for
 * different connections and in order for one connection.
 */
public final class WsFleet implements AutoCloseable {

  /** Receives the frames after the {@code subscribed} reply. */
  @FunctionalInterface
  public interface FrameHandler {
    /**
     * @param connection index of the connection (order of opening)
     * @param frame the whole text frame
     * @param receivedNanos {@link System#nanoTime()} when its last part arrived
     */
    void onFrame(int connection, CharSequence frame, long receivedNanos);
  }

  /** What a connection subscribes to. */
  public record Subscription(String token, String channel, Optional<String> cursor) {}

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final URI endpoint;
  private final FrameHandler handler;
  private final ExecutorService executor;
  private final HttpClient http;
  private final Set<Long> threadIds = ConcurrentHashMap.newKeySet();
  private final List<WebSocket> sockets = new ArrayList<>();
  private final AtomicLong frames = new AtomicLong();
  private final AtomicInteger closedByServer = new AtomicInteger();
  private final AtomicInteger nextIndex = new AtomicInteger();

  /**
   * @param endpoint the gateway's WebSocket URI
   * @param handler receives frames
   * @param threads executor threads for the listeners
   */
  public WsFleet(final URI endpoint, final FrameHandler handler, final int threads) {
    this.endpoint = endpoint;
    this.handler = handler;
    final AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(threads, r -> {
      final Thread t = new Thread(r, "bench-ws-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.http = HttpClient.newBuilder().executor(r -> executor.execute(() -> {
      threadIds.add(Thread.currentThread().getId());
      r.run();
    })).connectTimeout(Duration.ofSeconds(30)).build();
  }

  /**
   * Opens one connection per subscription, at most {@code concurrency} handshakes at a time, and
   * waits until every one got its {@code subscribed} reply.
   *
   * @throws IllegalStateException if some did not within {@code timeout}
   */
  public void open(final List<Subscription> subscriptions, final int concurrency,
      final Duration timeout) throws InterruptedException {
    final CountDownLatch subscribed = new CountDownLatch(subscriptions.size());
    final Semaphore inFlight = new Semaphore(concurrency);
    final AtomicInteger failures = new AtomicInteger();
    final List<String> errors = new ArrayList<>();
    final long deadline = System.nanoTime() + timeout.toNanos();
    for (final Subscription s : subscriptions) {
      if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        break;
      }
      final int index = nextIndex.getAndIncrement();
      final Listener listener = new Listener(index, subscribeFrame(s), () -> {
        inFlight.release();
        subscribed.countDown();
      });
      http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
          .buildAsync(URI.create(endpoint + "?token="
              + URLEncoder.encode(s.token(), StandardCharsets.UTF_8)), listener)
          .whenComplete((ws, error) -> {
            if (error != null) {
              failures.incrementAndGet();
              synchronized (errors) {
                if (errors.size() < 3) {
                  errors.add(error.toString());
                }
              }
              inFlight.release();
            } else {
              synchronized (sockets) {
                sockets.add(ws);
              }
            }
          });
    }
    final boolean all = subscribed.await(Math.max(0, deadline - System.nanoTime()),
        TimeUnit.NANOSECONDS);
    if (!all) {
      throw new IllegalStateException((subscriptions.size() - subscribed.getCount())
          + " of " + subscriptions.size() + " connections subscribed within " + timeout
          + "; " + failures.get() + " failed to connect " + errors);
    }
  }

  private static String subscribeFrame(final Subscription s) {
    return "{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"" + s.channel() + "\""
        + s.cursor().map(c -> ",\"cursor\":\"" + c + "\"").orElse("") + "}";
  }

  /** Open connections. */
  public int size() {
    synchronized (sockets) {
      return sockets.size();
    }
  }

  /** Frames handed to the handler so far. */
  public long frames() {
    return frames.get();
  }

  /** Connections the server closed. */
  public int closedByServer() {
    return closedByServer.get();
  }

  /**
   * CPU time used so far by the fleet's threads (listeners and the client's selector), which is
   * the load generator's cost.
   */
  public long cpuNanos() {
    long sum = 0;
    for (final Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("HttpClient-") || threadIds.contains(t.getId())) {
        final long cpu = THREADS.getThreadCpuTime(t.getId());
        if (cpu > 0) {
          sum += cpu;
        }
      }
    }
    return sum;
  }

  /** Sends a normal close on every connection and releases the client. */
  @Override
  public void close() {
    final List<WebSocket> all;
    synchronized (sockets) {
      all = new ArrayList<>(sockets);
      sockets.clear();
    }
    final List<CompletableFuture<WebSocket>> closing = new ArrayList<>();
    for (final WebSocket ws : all) {
      closing.add(ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done")
          .exceptionally(e -> ws).toCompletableFuture());
    }
    try {
      CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      all.forEach(WebSocket::abort);
    }
    all.forEach(WebSocket::abort);
    executor.shutdownNow();
  }

  private final class Listener implements WebSocket.Listener {
    private final int index;
    private final String subscribe;
    private final Runnable onSubscribed;
    private final StringBuilder partial = new StringBuilder();
    private boolean subscribed;

    Listener(final int index, final String subscribe, final Runnable onSubscribed) {
      this.index = index;
      this.subscribe = subscribe;
      this.onSubscribed = onSubscribed;
    }

    @Override
    public void onOpen(final WebSocket ws) {
      ws.sendText(subscribe, true);
      ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(final WebSocket ws, final CharSequence data,
        final boolean last) {
      final long now = System.nanoTime();
      final CharSequence frame;
      if (!last) {
        partial.append(data);
        ws.request(1);
        return null;
      }
      if (partial.length() > 0) {
        frame = partial.append(data).toString();
        partial.setLength(0);
      } else {
        frame = data;
      }
      if (!subscribed) {
        if (contains(frame, "\"op\":\"subscribed\"")) {
          subscribed = true;
          onSubscribed.run();
        }
      } else {
        frames.incrementAndGet();
        handler.onFrame(index, frame, now);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(final WebSocket ws, final int status, final String reason) {
      closedByServer.incrementAndGet();
      return null;
    }
  }

  /** Whether {@code text} contains {@code part}. */
  public static boolean contains(final CharSequence text, final String part) {
    return indexOf(text, part, 0) >= 0;
  }

  /** {@link String#indexOf(String, int)} for any char sequence. */
  public static int indexOf(final CharSequence text, final String part, final int from) {
    if (text instanceof String s) {
      return s.indexOf(part, from);
    }
    outer:
    for (int i = from; i <= text.length() - part.length(); i++) {
      for (int j = 0; j < part.length(); j++) {
        if (text.charAt(i + j) != part.charAt(j)) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * The string value of the first {@code "field":"…"} in a frame (no escapes inside), or empty.
   */
  public static Optional<String> stringField(final CharSequence frame, final String field) {
    final String key = "\"" + field + "\":\"";
    final int at = indexOf(frame, key, 0);
    if (at < 0) {
      return Optional.empty();
    }
    final int start = at + key.length();
    final int end = indexOf(frame, "\"", start);
    return end < 0 ? Optional.empty() : Optional.of(frame.subSequence(start, end).toString());
  }

  /** The integer value of the first {@code "field":123} in a frame, or empty. */
  public static Optional<Long> longField(final CharSequence frame, final String field) {
    final String key = "\"" + field + "\":";
    final int at = indexOf(frame, key, 0);
    if (at < 0) {
      return Optional.empty();
    }
    int i = at + key.length();
    long value = 0;
    boolean digits = false;
    final boolean negative = i < frame.length() && frame.charAt(i) == '-';
    if (negative) {
      i++;
    }
    while (i < frame.length() && Character.isDigit(frame.charAt(i))) {
      value = value * 10 + (frame.charAt(i++) - '0');
      digits = true;
    }
    return digits ? Optional.of(negative ? -value : value) : Optional.empty();
  }

}
