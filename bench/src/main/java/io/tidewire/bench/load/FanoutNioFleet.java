package io.tidewire.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fan-out scenario's clients: many WebSocket connections on a few NIO selector threads, with
 * a minimal RFC 6455 client (handshake, masked client frames, unfragmented server text frames,
 * ping/pong, close). It exists because the JDK {@code java.net.http.WebSocket} client
 * ({@link WsFleet}) reads every connection on one selector thread at a high cost per frame: at
 * ~50k frames/s that thread saturates a core and the benchmark measures the client, not the
 * gateway. Here each thread owns its connections outright, parses frames in place and hands the
 * handler a reused ASCII view of the payload (no String, no copy per frame).
 *
 * <p>Thread-safe to open and close from one thread; the handler runs on the selector threads,
 * concurrently for different connections and in order for one connection.
 */
public final class FanoutNioFleet implements AutoCloseable {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final int INITIAL_BUFFER = 4096;
  private static final String SUBSCRIBED = "\"op\":\"subscribed\"";

  private final URI endpoint;
  private final WsFleet.FrameHandler handler;
  private final List<Loop> loops = new ArrayList<>();
  private final AtomicLong frames = new AtomicLong();
  private final AtomicInteger closedByServer = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private int next;

  /**
   * @param endpoint the gateway's WebSocket URI ({@code ws://host:port/path})
   * @param handler receives every text frame after the connection's {@code subscribed} reply
   * @param threads selector threads
   */
  public FanoutNioFleet(final URI endpoint, final WsFleet.FrameHandler handler, final int threads) {
    this.endpoint = endpoint;
    this.handler = handler;
    for (int i = 0; i < threads; i++) {
      final Loop loop = new Loop(i);
      loops.add(loop);
      loop.thread.start();
    }
  }

  /**
   * Opens one connection per token, at most {@code concurrency} handshakes at a time, each
   * sending {@code subscribe} once open, and waits until all got their {@code subscribed} reply.
   *
   * @throws IllegalStateException if some did not within {@code timeout}
   */
  public void open(final List<String> tokens, final String subscribe, final int concurrency,
      final Duration timeout) throws InterruptedException {
    final CountDownLatch subscribed = new CountDownLatch(tokens.size());
    final Semaphore inFlight = new Semaphore(concurrency);
    final long deadline = System.nanoTime() + timeout.toNanos();
    final byte[] subscribeFrame = clientFrame(0x1, subscribe.getBytes(StandardCharsets.UTF_8));
    for (final String token : tokens) {
      if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        break;
      }
      final Loop loop = loops.get(next++ % loops.size());
      loop.add(new Conn(opened.getAndIncrement(), handshake(token), subscribeFrame, () -> {
        inFlight.release();
        subscribed.countDown();
      }, inFlight::release));
    }
    if (!subscribed.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException((tokens.size() - subscribed.getCount()) + " of "
          + tokens.size() + " connections subscribed within " + timeout + "; " + failed.get()
          + " failed");
    }
  }

  private byte[] handshake(final String token) {
    final String path = endpoint.getRawPath() + "?token="
        + URLEncoder.encode(token, StandardCharsets.UTF_8);
    return ("GET " + path + " HTTP/1.1\r\nHost: " + endpoint.getHost() + ":" + endpoint.getPort()
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** A masked client frame (RFC 6455 §5.3) with FIN set. */
  static byte[] clientFrame(final int opcode, final byte[] payload) {
    final int n = payload.length;
    final int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
    final byte[] out = new byte[header + 4 + n];
    out[0] = (byte) (0x80 | opcode);
    if (n < 126) {
      out[1] = (byte) (0x80 | n);
    } else if (n <= 0xFFFF) {
      out[1] = (byte) (0x80 | 126);
      out[2] = (byte) (n >>> 8);
      out[3] = (byte) n;
    } else {
      out[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        out[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
      }
    }
    final byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    System.arraycopy(mask, 0, out, header, 4);
    for (int i = 0; i < n; i++) {
      out[header + 4 + i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    return out;
  }

  /** Frames handed to the handler so far. */
  public long frames() {
    return frames.get();
  }

  /** Connections the server closed (a close frame or end of stream before ours). */
  public int closedByServer() {
    return closedByServer.get();
  }

  /** CPU time used so far by the selector threads: the load generator's cost. */
  public long cpuNanos() {
    long sum = 0;
    for (final Loop loop : loops) {
      final long cpu = THREADS.getThreadCpuTime(loop.thread.getId());
      if (cpu > 0) {
        sum += cpu;
      }
    }
    return sum;
  }

  /** Sends a close frame on every connection, closes the sockets and stops the threads. */
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

  private static final byte[] CLOSE_NORMAL = clientFrame(0x8, new byte[] {0x03, (byte) 0xE8});

  /** One connection's state; touched only by its loop's thread after {@link Loop#add}. */
  private static final class Conn {
    final int index;
    final byte[] handshake;
    final byte[] subscribe;
    final Runnable onSubscribed;
    final Runnable onFailed;
    SocketChannel channel;
    ByteBuffer in = ByteBuffer.allocate(INITIAL_BUFFER);
    ByteBuffer out;
    boolean upgraded;
    boolean subscribed;
    boolean done;

    Conn(final int index, final byte[] handshake, final byte[] subscribe,
        final Runnable onSubscribed, final Runnable onFailed) {
      this.index = index;
      this.handshake = handshake;
      this.subscribe = subscribe;
      this.onSubscribed = onSubscribed;
      this.onFailed = onFailed;
    }
  }

  /** A reused view of ASCII bytes as characters (JSON ids and keys are ASCII). */
  private static final class AsciiView implements CharSequence {
    byte[] bytes;
    int offset;
    int length;

    @Override
    public int length() {
      return length;
    }

    @Override
    public char charAt(final int index) {
      return (char) (bytes[offset + index] & 0xFF);
    }

    @Override
    public CharSequence subSequence(final int start, final int end) {
      return new String(bytes, offset + start, end - start, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
      return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }
  }

  /** A selector thread and the connections it owns. */
  private final class Loop implements Runnable {
    final Thread thread;
    final Selector selector;
    final Queue<Conn> added = new ConcurrentLinkedQueue<>();
    final List<Conn> conns = new ArrayList<>();
    final AsciiView view = new AsciiView();
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
        fail(conn, key);
      }
    }

    private void connect(final Conn conn) {
      try {
        conn.channel = SocketChannel.open();
        conn.channel.configureBlocking(false);
        conn.channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        conns.add(conn);
        if (conn.channel.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()))) {
          conn.out = ByteBuffer.wrap(conn.handshake);
          flush(conn, conn.channel.register(selector, SelectionKey.OP_READ, conn));
        } else {
          conn.channel.register(selector, SelectionKey.OP_CONNECT, conn);
        }
      } catch (IOException e) {
        fail(conn, null);
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
        fail(conn, key);
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
      final byte[] a = in.array();
      while (in.remaining() >= 2) {
        final int p = in.position();
        final int opcode = a[p] & 0x0F;
        final boolean masked = (a[p + 1] & 0x80) != 0;
        long len = a[p + 1] & 0x7F;
        int header = 2;
        if (len == 126) {
          if (in.remaining() < 4) {
            return;
          }
          len = ((a[p + 2] & 0xFF) << 8) | (a[p + 3] & 0xFF);
          header = 4;
        } else if (len == 127) {
          if (in.remaining() < 10) {
            return;
          }
          len = 0;
          for (int i = 0; i < 8; i++) {
            len = (len << 8) | (a[p + 2 + i] & 0xFF);
          }
          header = 10;
        }
        if (masked) {
          throw new IOException("masked server frame");
        }
        if (in.remaining() < header + len) {
          return;
        }
        final int start = p + header;
        in.position(start + (int) len);
        if (opcode == 0x1) {
          view.bytes = a;
          view.offset = start;
          view.length = (int) len;
          if (!conn.subscribed) {
            if (WsFleet.contains(view, SUBSCRIBED)) {
              conn.subscribed = true;
              conn.onSubscribed.run();
            }
          } else {
            frames.incrementAndGet();
            handler.onFrame(conn.index, view, now);
          }
        } else if (opcode == 0x9) {
          final byte[] payload = new byte[(int) len];
          System.arraycopy(a, start, payload, 0, (int) len);
          send(conn, key, clientFrame(0xA, payload));
        } else if (opcode == 0x8) {
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

    private void fail(final Conn conn, final SelectionKey key) {
      if (!conn.done && !conn.subscribed) {
        failed.incrementAndGet();
        conn.onFailed.run();
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
