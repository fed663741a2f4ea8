package io.tidewire.gateway.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * A real WebSocket client (the JDK's) that collects the server's JSON frames. Reading can be
 * paused to play a slow consumer: frames then stay in the socket buffers.
 */
public final class WsClient implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile boolean paused;
  private volatile boolean owed;
  private WebSocket socket;

  private WsClient() {}

  /** Connects, with the token in the query string. */
  public static WsClient connect(final int port, final String token) {
    return connect(URI.create("ws://127.0.0.1:" + port + "/v1/realtime?token=" + token), Optional.empty());
  }

  /** Connects to {@code uri}, optionally with an {@code Authorization: Bearer} header. */
  public static WsClient connect(final URI uri, final Optional<String> bearer) {
    final WsClient client = new WsClient();
    final WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    bearer.ifPresent(token -> builder.header("Authorization", "Bearer " + token));
    try {
      client.socket = builder.buildAsync(uri, client.listener()).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new CompletionException(e.getCause() != null ? e.getCause() : e);
    }
    return client;
  }

  /** The HTTP status the server refused the upgrade with, or empty if it accepted. */
  public static Optional<Integer> upgradeStatus(final URI uri, final Optional<String> bearer) {
    try {
      connect(uri, bearer).close();
      return Optional.empty();
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException handshake) {
        return Optional.of(handshake.getResponse().statusCode());
      }
      throw e;
    }
  }

  private WebSocket.Listener listener() {
    return new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last) {
        partial.append(data);
        if (last) {
          try {
            frames.add(JSON.readTree(partial.toString()));
          } catch (JsonProcessingException e) {
            throw new IllegalStateException("server sent non-JSON: " + partial, e);
          }
          partial.setLength(0);
        }
        if (paused) {
          owed = true;
        } else {
          webSocket.request(1);
        }
        return null;
      }

      @Override
      public CompletionStage<?> onClose(final WebSocket webSocket, final int statusCode, final String reason) {
        closeCode.complete(statusCode);
        return null;
      }

      @Override
      public void onError(final WebSocket webSocket, final Throwable error) {
        closeCode.completeExceptionally(error);
      }
    };
  }

  /** Sends one text frame. */
  public WsClient send(final String text) {
    socket.sendText(text, true).join();
    return this;
  }

  /** Stops reading (after the frame being delivered now). */
  public void pause() {
    paused = true;
  }

  /** Reads again. */
  public void resume() {
    paused = false;
    if (owed) {
      owed = false;
      socket.request(1);
    }
  }

  /** Frames received so far. */
  public List<JsonNode> frames() {
    return List.copyOf(frames);
  }

  /** Waits for a frame matching {@code match} and returns it. */
  public JsonNode awaitFrame(final Predicate<JsonNode> match) {
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5)).until(() -> frames.stream().anyMatch(match));
    return frames.stream().filter(match).findFirst().orElseThrow();
  }

  /** Waits for the reply to {@code ref}. */
  public JsonNode reply(final String ref) {
    return awaitFrame(f -> f.has("ref") && ref.equals(f.get("ref").textValue()));
  }

  /** Sends a ping and waits for its pong: proves the connection still answers. */
  public boolean answersPing(final String ref) {
    send("{\"op\":\"ping\",\"ref\":\"" + ref + "\"}");
    return "pong".equals(reply(ref).get("op").textValue());
  }

  /** Events received so far. */
  public List<JsonNode> events() {
    return frames.stream().filter(f -> "event".equals(f.path("op").textValue())).toList();
  }

  /** Waits for the close code the server sent. */
  public int awaitClose() {
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(closeCode::isDone);
    return closeCode.join();
  }

  @Override
  public void close() {
    if (socket != null && !socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    }
    if (socket != null) {
      socket.abort();
    }
  }
}
