package io.tidewire.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The raw mode: a bare socket with a small receive buffer, written exactly as told. One daemon
 * thread reads it, started once the handshake is through (or when told to read to the end), and
 * waiting whenever the client is paused. It answers pings and echoes the server's close, nothing
 * more. Thread-safe.
 */
final class SocketLink implements WsClient.Link {

  /** Small, so that a client that stops reading pushes back on the server soon. */
  private static final int RECEIVE_BUFFER = 4096;

  private final WsClient client;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private Thread reader;
  private boolean discarding;
  private boolean closeSent;

  private SocketLink(final WsClient client, final Socket socket) throws IOException {
    this.client = client;
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  static WsClient open(final URI endpoint) {
    final WsClient client = new WsClient(true);
    try {
      final Socket socket = new Socket();
      socket.setReceiveBufferSize(RECEIVE_BUFFER);
      socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 10_000);
      client.attach(new SocketLink(client, socket));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return client;
  }

  /** Reads the HTTP response head and returns its status; after a 101 the reader starts. */
  int awaitUpgrade(final Duration timeout) {
    synchronized (this) {
      if (reader != null) {
        throw new IllegalStateException("the connection is being read already");
      }
    }
    try {
      socket.setSoTimeout((int) timeout.toMillis());
      final String head = readHead();
      socket.setSoTimeout(0);
      final int status = Integer.parseInt(head.split(" ", 3)[1]);
      if (status == 101) {
        startReader();
      }
      return status;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads the HTTP response head (status line and headers) and nothing more; starts no reader. */
  String responseHead(final Duration timeout) {
    try {
      socket.setSoTimeout((int) timeout.toMillis());
      return readHead();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String readHead() throws IOException {
    final ByteArrayOutputStream head = new ByteArrayOutputStream();
    final byte[] end = {'\r', '\n', '\r', '\n'};
    int matched = 0;
    while (matched < end.length) {
      final int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed during the handshake: " + head);
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  boolean readsToTheEnd(final Duration timeout) {
    synchronized (this) {
      discarding = true;
      notifyAll();
    }
    startReader();
    try {
      ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  private synchronized void startReader() {
    if (reader == null) {
      reader = new Thread(this::read, "ws-raw-reader");
      reader.setDaemon(true);
      reader.start();
    }
  }

  private void read() {
    try {
      final ByteArrayOutputStream message = new ByteArrayOutputStream();
      int opcode = WsFrame.TEXT;
      while (awaitReading()) {
        final WsFrame frame = WsFrame.read(in);
        switch (frame.opcode()) {
          case WsFrame.TEXT, WsFrame.BINARY, WsFrame.CONTINUATION -> {
            opcode = frame.opcode() == WsFrame.CONTINUATION ? opcode : frame.opcode();
            message.writeBytes(frame.payload());
            if (frame.fin()) {
              deliver(opcode, message.toByteArray());
              message.reset();
            }
          }
          case WsFrame.PING -> write(WsFrame.of(WsFrame.PONG, frame.payload()).encode());
          case WsFrame.CLOSE -> {
            client.closedWith(frame.closeCode());
            echoClose(frame.closeCode());
          }
          default -> { } // a pong, or a reserved opcode: not ours to judge
        }
      }
      final byte[] sink = new byte[64 * 1024];
      while (in.read(sink) >= 0) {
        // discard
      }
    } catch (IOException | UncheckedIOException | InterruptedException e) {
      // reset by the server, or closed by us: the end either way
    } finally {
      client.closedWith(WsClient.ABNORMAL_CLOSURE);
      ended.complete(null);
    }
  }

  private void deliver(final int opcode, final byte[] payload) {
    if (opcode == WsFrame.TEXT) {
      client.receivedText(new String(payload, StandardCharsets.UTF_8));
    } else {
      client.receivedBinary(payload);
    }
  }

  /** Waits while the client is paused; false once it should only discard. */
  private synchronized boolean awaitReading() throws InterruptedException {
    while (client.paused() && !discarding) {
      wait();
    }
    return !discarding;
  }

  @Override
  public synchronized void resumeReading() {
    notifyAll();
  }

  private void echoClose(final int code) {
    synchronized (out) {
      if (closeSent) {
        return;
      }
      closeSent = true;
    }
    write((code == WsFrame.NO_STATUS ? WsFrame.of(WsFrame.CLOSE, new byte[0])
        : WsFrame.close(code, "")).encode());
  }

  void write(final byte[] bytes) {
    synchronized (out) {
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public void sendText(final String text) {
    write(WsFrame.text(text).encode());
  }

  @Override
  public void sendBinary(final byte[] data) {
    write(WsFrame.binary(data).encode());
  }

  @Override
  public boolean isOpen() {
    return !socket.isClosed() && !ended.isDone();
  }

  /** Drops the socket without a close frame: raw mode sends only what it is told to. */
  @Override
  public void close() {
    synchronized (this) {
      discarding = true;
      notifyAll();
    }
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
