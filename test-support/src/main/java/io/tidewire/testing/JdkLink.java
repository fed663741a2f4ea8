package io.tidewire.testing;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The normal mode: the JDK's WebSocket client, which reads a frame only when asked to, so pausing
 * is not asking. Thread-safe.
 */
final class JdkLink implements WsClient.Link, WebSocket.Listener {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final long TIMEOUT_SECONDS = 15;

  private final WsClient client;
  private final StringBuilder text = new StringBuilder();
  private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
  private WebSocket socket;
  /** A frame was held back because reading was paused. */
  private boolean owed;

  private JdkLink(final WsClient client) {
    this.client = client;
  }

  static WsClient open(final URI uri, final Optional<String> authorization) {
    final WsClient client = new WsClient(false);
    final JdkLink link = new JdkLink(client);
    client.attach(link);
    final WebSocket socket = upgrade(uri, authorization, link);
    synchronized (link) {
      link.socket = socket;
    }
    return client;
  }

  static int upgradeStatus(final URI uri, final Optional<String> authorization) {
    try {
      upgrade(uri, authorization, new WebSocket.Listener() {}).abort();
      return 101;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
  }

  private static WebSocket upgrade(final URI uri, final Optional<String> authorization,
      final WebSocket.Listener listener) {
    final WebSocket.Builder builder = HTTP.newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(10));
    authorization.ifPresent(value -> builder.header("Authorization", value));
    return builder.buildAsync(uri, listener).orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
  }

  @Override
  public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data,
      final boolean last) {
    text.append(data);
    if (last) {
      client.receivedText(text.toString());
      text.setLength(0);
    }
    next(webSocket);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(final WebSocket webSocket, final ByteBuffer data,
      final boolean last) {
    final byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    binary.writeBytes(bytes);
    if (last) {
      client.receivedBinary(binary.toByteArray());
      binary.reset();
    }
    next(webSocket);
    return null;
  }

  @Override
  public CompletionStage<?> onPing(final WebSocket webSocket, final ByteBuffer message) {
    next(webSocket);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(final WebSocket webSocket, final int statusCode,
      final String reason) {
    client.closedWith(statusCode);
    return null;
  }

  @Override
  public void onError(final WebSocket webSocket, final Throwable error) {
    client.closedWith(WsClient.ABNORMAL_CLOSURE);
  }

  private synchronized void next(final WebSocket webSocket) {
    if (client.paused()) {
      owed = true;
    } else {
      webSocket.request(1);
    }
  }

  @Override
  public synchronized void resumeReading() {
    if (owed) {
      owed = false;
      socket.request(1);
    }
  }

  @Override
  public void sendText(final String data) {
    socket().sendText(data, true).orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
  }

  @Override
  public void sendBinary(final byte[] data) {
    socket().sendBinary(ByteBuffer.wrap(data), true).orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .join();
  }

  @Override
  public boolean isOpen() {
    final WebSocket ws = socket();
    return !ws.isInputClosed() && !ws.isOutputClosed();
  }

  @Override
  public void close() {
    final WebSocket ws = socket();
    if (!ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    }
    ws.abort();
  }

  private synchronized WebSocket socket() {
    return socket;
  }
}
