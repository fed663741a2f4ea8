package io.tidewire.bench.load;

import io.tidewire.testing.WsFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The fan-out scenario's {@link Fleet}: many WebSocket connections on a few NIO selector threads,
 * with a minimal RFC 6455 client (handshake, masked client frames, unfragmented server text
 * frames, ping/pong, close; the frames coded by {@link WsFrame}). It exists because the JDK
 * {@code java.net.http.WebSocket} client ({@link WsFleet}) reads every connection on one selector
 * thread at a high cost per frame: at ~50k frames/s that thread saturates a core and the benchmark
 * measures the client, not the gateway. Here each thread owns its connections outright, parses
 * frames in place and hands the handler a view of the payload in its read buffer (no copy).
 *
 * <p>Thread-safe to open and close from one thread; the handler runs on the selector threads,
 * concurrently for different connections and in order for one connection.
 */
public final class FanoutNioFleet implements Fleet {

  private static final int INITIAL_BUFFER = 4096;
  private static final byte[] CLOSE_NORMAL = WsFrame.close(1000, "").encode();

  private final URI endpoint;
  private final List<InetAddress> localAddresses;
  private final FrameHandler handler;
  private final List<Loop> loops = new ArrayList<>();
  private final AtomicLong frames = new AtomicLong();
  private final AtomicInteger closedByServer = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();
  private int next;

  /**
   * @param endpoint the gateway's WebSocket URI ({@code ws://host:port/path})
   * @param handler receives every text frame after the connection's {@code subscribed} reply
   * @param threads selector threads
   */
  public FanoutNioFleet(final URI endpoint, final FrameHandler handler, final int threads) {
    this(endpoint, handler, threads, List.of());
  }

  /**
   * As above, connection {@code i} bound to {@code localAddresses.get(i % size)} (an ephemeral
   * port of it): loopback has ~28k ephemeral ports per source address towards one server port, so
   * 100k connections need several source addresses (127.0.0.x); empty = the system's choice.
   */
  public FanoutNioFleet(final URI endpoint, final FrameHandler handler, final int threads,
      final List<InetAddress> localAddresses) {
    this.localAddresses = List.copyOf(localAddresses);
    this.endpoint = endpoint;
    this.handler = handler;
    for (int i = 0; i < threads; i++) {
      final Loop loop = new Loop(i);
      loops.add(loop);
      loop.thread.start();
    }
  }

  @Override
  public void open(final List<Subscription> subscriptions, final int concurrency,
      final Duration timeout) throws InterruptedException {
    Fleets.open(subscriptions, concurrency, timeout, (s, subscribed, failed) ->
        loops.get(next++ % loops.size()).add(new Conn(opened.getAndIncrement(),
            handshake(s.token()), WsFrame.text(s.frame()).encode(), subscribed, failed)));
  }

  private byte[] handshake(final String token) {
    final String path = endpoint.getRawPath() + "?token="
        + URLEncoder.encode(token, StandardCharsets.UTF_8);
    return ("GET " + path + " HTTP/1.1\r\nHost: " + endpoint.getHost() + ":" + endpoint.getPort()
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public long frames() {
    return frames.get();
  }

  /** Connections the server closed (a close frame or end of stream before ours). */
  @Override
  public int closedByServer() {
    return closedByServer.get();
  }

  /** The selector threads. */
  @Override
  public long cpuNanos() {
    return Fleets.cpuNanos(loops.stream().map(loop -> loop.thread));
  }

  @Override
  public void close() {
    for (final Loop loop : loops) {
      loop.stop();
    }
    for (final Loop loop : loops) {
      try {
        loop.thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One connection's state; touched only by its loop's thread after {@link Loop#add}. */
  private static final class Conn {
    final int index;
    final byte[] handshake;
    final byte[] subscribe;
    final Runnable onSubscribed;
    final Consumer<Throwable> onFailed;
    SocketChannel channel;
    ByteBuffer in = ByteBuffer.allocate(INITIAL_BUFFER);
    ByteBuffer out;
    boolean upgraded;
    boolean subscribed;
    boolean done;

    Conn(final int index, final byte[] handshake, final byte[] subscribe,
        final Runnable onSubscribed, final Consumer<Throwable> onFailed) {
      this.index = index;
      this.handshake = handshake;
      this.subscribe = subscribe;
      this.onSubscribed = onSubscribed;
      this.onFailed = onFailed;
    }
  }

  /** A selector thread and the connections it owns. */
  private final class Loop implements Runnable {
    final Thread thread;
    final Selector selector;
    final Queue<Conn> added = new ConcurrentLinkedQueue<>();
    final List<Conn> conns = new ArrayList<>();
    volatile boolean running = true;

    Loop(final int i) {
      try {
        selector = Selector.open();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      thread = new Thread(this, "bench-fanout-nio-" + i);
      thread.setDaemon(true);
    }

    void add(final Conn conn) {
      added.add(conn);
      selector.wakeup();
    }

    void stop() {
      running = false;
      selector.wakeup();
    }

    @Override
    public void run() {
      try {
        while (running) {
          // select(Consumer) rather than selectedKeys(): iterating a HashSet that once held
          // thousands of keys scans its whole table on every wake-up.
          selector.select(key -> handle(key, System.nanoTime()), 100);
          Conn c;
          while ((c = added.poll()) != null) {
            connect(c);
          }
        }
      } catch (IOException | RuntimeException e) {
        // the fleet is unusable; open() times out and says so
      } finally {
        shutdown();
      }
    }

    private void handle(final SelectionKey key, final long now) {
      final Conn conn = (Conn) key.attachment();
      try {
        if (!key.isValid()) {
          return;
        }
        if (key.isConnectable()) {
          conn.channel.finishConnect();
          conn.out = ByteBuffer.wrap(conn.handshake);
          key.interestOps(SelectionKey.OP_READ);
          flush(conn, key);
        }
        if (key.isValid() && key.isWritable()) {
          flush(conn, key);
        }
        if (key.isValid() && key.isReadable()) {
          read(conn, key, now);
        }
      } catch (IOException e) {
        fail(conn, key, e);
      }
    }

    private void connect(final Conn conn) {
      try {
        conn.channel = SocketChannel.open();
        conn.channel.configureBlocking(false);
        conn.channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        if (!localAddresses.isEmpty()) {
          conn.channel.bind(new InetSocketAddress(
              localAddresses.get(conn.index % localAddresses.size()), 0));
        }
        conns.add(conn);
        if (conn.channel.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()))) {
          conn.out = ByteBuffer.wrap(conn.handshake);
          flush(conn, conn.channel.register(selector, SelectionKey.OP_READ, conn));
        } else {
          conn.channel.register(selector, SelectionKey.OP_CONNECT, conn);
        }
      } catch (IOException e) {
        fail(conn, null, e);
      }
    }

    private void send(final Conn conn, final SelectionKey key, final byte[] frame)
        throws IOException {
      if (conn.out != null && conn.out.hasRemaining()) {
        final ByteBuffer both = ByteBuffer.allocate(conn.out.remaining() + frame.length);
        both.put(conn.out).put(frame).flip();
        conn.out = both;
      } else {
        conn.out = ByteBuffer.wrap(frame);
      }
      flush(conn, key);
    }

    private void flush(final Conn conn, final SelectionKey key) throws IOException {
      if (conn.out == null) {
        return;
      }
      conn.channel.write(conn.out);
      if (conn.out.hasRemaining()) {
        key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
      } else {
        conn.out = null;
        key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
      }
    }

    private void read(final Conn conn, final SelectionKey key, final long now) throws IOException {
      if (!conn.in.hasRemaining()) {
        final ByteBuffer bigger = ByteBuffer.allocate(conn.in.capacity() * 2);
        conn.in.flip();
        bigger.put(conn.in);
        conn.in = bigger;
      }
      final int n = conn.channel.read(conn.in);
      if (n < 0) {
        if (!conn.done) {
          closedByServer.incrementAndGet();
        }
        fail(conn, key, new IOException("connection closed by the server"));
        return;
      }
      final ByteBuffer in = conn.in;
      in.flip();
      if (!conn.upgraded && !handshakeDone(conn, key, in)) {
        in.compact();
        return;
      }
      parseFrames(conn, key, in, now);
      in.compact();
    }

    private boolean handshakeDone(final Conn conn, final SelectionKey key, final ByteBuffer in)
        throws IOException {
      final byte[] a = in.array();
      for (int i = in.position(); i + 3 < in.limit(); i++) {
        if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
          final String status = new String(a, in.position(), Math.min(16, i - in.position()),
              StandardCharsets.US_ASCII);
          if (!status.contains(" 101")) {
            throw new IOException("upgrade refused: " + status);
          }
          in.position(i + 4);
          conn.upgraded = true;
          send(conn, key, conn.subscribe);
          return true;
        }
      }
      return false;
    }

    private void parseFrames(final Conn conn, final SelectionKey key, final ByteBuffer in,
        final long now) throws IOException {
      Optional<WsFrame.Header> next;
      while ((next = WsFrame.Header.peek(in)).isPresent()) {
        final WsFrame.Header header = next.get();
        if (header.masked()) {
          throw new IOException("masked server frame");
        }
        if (in.remaining() < header.size() + header.length()) {
          return;
        }
        final int start = in.position() + header.size();
        final int length = (int) header.length();
        in.position(start + length);
        if (header.opcode() == WsFrame.TEXT) {
          final Frame frame = Frame.of(in.array(), start, length);
          if (!conn.subscribed) {
            if (frame.isOp("subscribed")) {
              conn.subscribed = true;
              conn.onSubscribed.run();
            }
          } else {
            frames.incrementAndGet();
            handler.onFrame(conn.index, frame, now);
          }
        } else if (header.opcode() == WsFrame.PING) {
          final byte[] payload = new byte[length];
          System.arraycopy(in.array(), start, payload, 0, length);
          send(conn, key, WsFrame.of(WsFrame.PONG, payload).encode());
        } else if (header.opcode() == WsFrame.CLOSE) {
          if (!conn.done) {
            closedByServer.incrementAndGet();
            conn.done = true;
            send(conn, key, CLOSE_NORMAL);
          }
          conn.channel.close();
          return;
        }
      }
    }

    private void fail(final Conn conn, final SelectionKey key, final IOException error) {
      if (!conn.done && !conn.subscribed) {
        conn.onFailed.accept(error);
      }
      conn.done = true;
      if (key != null) {
        key.cancel();
      }
      try {
        if (conn.channel != null) {
          conn.channel.close();
        }
      } catch (IOException e) {
        // closing anyway
      }
    }

    private void shutdown() {
      for (final Conn conn : conns) {
        try {
          if (conn.channel.isOpen()) {
            if (conn.upgraded && !conn.done) {
              conn.done = true;
              conn.channel.write(ByteBuffer.wrap(CLOSE_NORMAL));
            }
            conn.channel.close();
          }
        } catch (IOException e) {
          // closing anyway
        }
      }
      try {
        selector.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
