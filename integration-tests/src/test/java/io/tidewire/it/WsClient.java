package io.tidewire.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client for tests (the JDK's), recording every frame it receives and how the
 * connection closed.
 */
final class WsClient implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final WebSocket socket;
  private final Listener listener;

  private WsClient(final WebSocket socket, final Listener listener) {
    this.socket = socket;
    this.listener = listener;
  }

  /** Connects with the token in the query string; fails the test if the upgrade is refused. */
  static WsClient connect(final URI endpoint, final String token) {
    return open(endpoint, token, new Listener());
  }

  private static WsClient open(final URI endpoint, final String token, final Listener listener) {
    final WebSocket ws = HTTP.newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .buildAsync(URI.create(endpoint + "?token=" + token), listener)
        .orTimeout(15, TimeUnit.SECONDS)
        .join();
    return new WsClient(ws, listener);
  }

  /**
   * Connects, subscribes to the user channel and then stops reading: a client that cannot keep
   * up. TCP back-pressure reaches the gateway, whose per-session queue fills.
   */
  static WsClient connectStalled(final URI endpoint, final String token) {
    final Listener listener = new Listener();
    listener.stallAfterSubscribed = true;
    final WsClient client = open(endpoint, token, listener);
    client.send("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\"}");
    return client;
  }

  /** Tries an upgrade and returns the HTTP status the server refused it with, or 101. */
  static int upgradeStatus(final URI uri, final String authorizationHeader) {
    final WebSocket.Builder builder = HTTP.newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(10));
    if (authorizationHeader != null) {
      builder.header("Authorization", authorizationHeader);
    }
    try {
      final WebSocket ws = builder.buildAsync(uri, new Listener()).orTimeout(15, TimeUnit.SECONDS)
          .join();
      ws.abort();
      return 101;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw e;
    }
  }

  void send(final String text) {
    socket.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  /**
   * Sends a frame the server is expected to refuse by closing the connection, which may happen
   * while the frame is still being written.
   */
  void sendExpectingClose(final String text) {
    try {
      send(text);
    } catch (CompletionException e) {
      // the server closed the connection mid-frame: what the caller waits for next
    }
  }

  /** Sends a subscribe and waits for its {@code subscribed} reply. */
  JsonNode subscribe(final String ref, final String channel) {
    send("{\"op\":\"subscribe\",\"ref\":\"" + ref + "\",\"channel\":\"" + channel + "\"}");
    return awaitFrame(f -> ref.equals(f.path("ref").asText()));
  }

  /** Waits for the first received frame matching {@code match}. */
  JsonNode awaitFrame(final Predicate<JsonNode> match) {
    final JsonNode[] found = new JsonNode[1];
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      for (final JsonNode f : listener.frames) {
        if (match.test(f)) {
          found[0] = f;
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

  /** Every frame received so far, in order. */
  List<JsonNode> frames() {
    return new ArrayList<>(listener.frames);
  }

  /** Event frames received so far, in order. */
  List<JsonNode> events() {
    return frames().stream().filter(f -> "event".equals(f.path("op").asText())).toList();
  }

  /** {@link System#nanoTime()} when {@code frame} arrived. */
  long receivedAt(final JsonNode frame) {
    return listener.receivedAt.get(frame);
  }

  /** Completes with the close status code when the server closes the connection. */
  CompletableFuture<Integer> closed() {
    return listener.closed;
  }

  boolean isOpen() {
    return !socket.isInputClosed() && !socket.isOutputClosed();
  }

  @Override
  public void close() {
    socket.abort();
  }

  private static final class Listener implements WebSocket.Listener {
    final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    final Map<JsonNode, Long> receivedAt = new ConcurrentHashMap<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    volatile boolean stallAfterSubscribed;

    @Override
    public CompletionStage<?> onText(final WebSocket ws, final CharSequence data,
        final boolean last) {
      partial.append(data);
      if (last) {
        try {
          final JsonNode frame = JSON.readTree(partial.toString());
          receivedAt.put(frame, System.nanoTime());
          frames.add(frame);
        } catch (Exception e) {
          frames.add(JSON.createObjectNode().put("op", "unparseable").put("raw",
              partial.toString()));
        }
        partial.setLength(0);
        if (stallAfterSubscribed && frames.stream()
            .anyMatch(f -> "subscribed".equals(f.path("op").asText()))) {
          return null; // never ask for more
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(final WebSocket ws, final int statusCode,
        final String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(final WebSocket ws, final Throwable error) {
      closed.complete(-1);
    }
  }
}
