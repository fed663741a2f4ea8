package io.tidewire.bench.load;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Fleet} on one JDK {@link HttpClient}: one selector thread and a small executor for all
 * connections, no thread per connection, so the load generator stays light next to the gateway
 * it measures at the latency and throughput scenarios' rates. Thread-safe.
 */
public final class WsFleet implements Fleet {

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

  @Override
  public void open(final List<Subscription> subscriptions, final int concurrency,
      final Duration timeout) throws InterruptedException {
    Fleets.open(subscriptions, concurrency, timeout, (s, subscribed, failed) ->
        http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
            .buildAsync(URI.create(endpoint + "?token="
                + URLEncoder.encode(s.token(), StandardCharsets.UTF_8)),
                new Listener(nextIndex.getAndIncrement(), s.frame(), subscribed))
            .whenComplete((ws, error) -> {
              if (error != null) {
                failed.accept(error);
              } else {
                synchronized (sockets) {
                  sockets.add(ws);
                }
              }
            }));
  }

  @Override
  public long frames() {
    return frames.get();
  }

  @Override
  public int closedByServer() {
    return closedByServer.get();
  }

  /** The listeners' threads and the client's selector thread. */
  @Override
  public long cpuNanos() {
    return Fleets.cpuNanos(Thread.getAllStackTraces().keySet().stream().filter(t ->
        t.getName().startsWith("HttpClient-") || threadIds.contains(t.getId())));
  }

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
      if (!last) {
        partial.append(data);
        ws.request(1);
        return null;
      }
      final Frame frame;
      if (partial.length() > 0) {
        frame = Frame.of(partial.append(data).toString());
        partial.setLength(0);
      } else {
        frame = Frame.of(data.toString());
      }
      if (!subscribed) {
        if (frame.isOp("subscribed")) {
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
}
