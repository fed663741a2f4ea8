package io.tidewire.client.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/** One client connection to the {@link FakeGateway}: what it sent, and a way to talk back. */
public final class FakeSession {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Session session;
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

  FakeSession(final Session session) {
    this.session = session;
  }

  static ObjectNode json() {
    return JSON.createObjectNode();
  }

  JsonNode received(final String text) {
    try {
      final JsonNode frame = JSON.readTree(text);
      received.add(frame);
      return frame;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("client sent non-JSON: " + text, e);
    }
  }

  void closed(final int code) {
    closeCode.complete(code);
  }

  /** Sends one text frame. */
  public synchronized void send(final String text) {
    try {
      session.getBasicRemote().sendText(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends one text frame if the connection is still open; returns whether it was sent. */
  public synchronized boolean trySend(final String text) {
    try {
      send(text);
      return true;
    } catch (IllegalStateException | UncheckedIOException e) {
      return false;
    }
  }

  /** Sends a frame built with Jackson. */
  public void send(final ObjectNode frame) {
    send(frame.toString());
  }

  /** Closes the connection with {@code code}. */
  public synchronized void close(final int code, final String reason) {
    try {
      session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every frame the client sent on this connection. */
  public List<JsonNode> frames() {
    return List.copyOf(received);
  }

  /** Waits for a frame from the client matching {@code match}. */
  public JsonNode awaitFrame(final Predicate<JsonNode> match) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.stream().anyMatch(match));
    return received.stream().filter(match).findFirst().orElseThrow();
  }

  /** Waits for the first frame with {@code "op": op}. */
  public JsonNode awaitOp(final String op) {
    return awaitFrame(f -> op.equals(f.path("op").asText()));
  }

  /** The close code of this connection, once closed (by either side). */
  public Optional<Integer> closeCode() {
    return Optional.ofNullable(closeCode.getNow(null));
  }

  @Override
  public String toString() {
    return "FakeSession[" + closeCode().map(c -> "closed " + c).orElse("open") + "]";
  }
}
