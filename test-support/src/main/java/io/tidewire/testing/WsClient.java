package io.tidewire.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * A real WebSocket client for tests of the gateway: it records every frame the server sends
 * (parsed as JSON, with its time of arrival) and how the connection closed. Three modes:
 * <ul>
 *   <li><b>normal</b> ({@link #connect}): the JDK's {@code java.net.http.WebSocket}, an
 *       implementation independent of the server's;
 *   <li><b>pause</b> ({@link #pause}, {@link #pauseAfter}, {@link #connectStalled}): either kind
 *       stops reading, so frames stay in the socket buffers and TCP back-pressure reaches the
 *       server: a slow consumer;
 *   <li><b>raw</b> ({@link #raw}, {@link #rawSocket}): a bare socket that starts paused (a client
 *       that never reads: a frozen tab, a dead NAT) and sends whatever it is told, malformed,
 *       oversized or binary frames ({@link #sendFrame}), half a handshake ({@link #sendBytes}),
 *       and reports the server's close code as it was on the wire.
 * </ul>
 *
 * <p>Thread-safe. Frames arrive on the client's own threads; the {@code await…} methods wait for
 * them with Awaitility.
 */
public final class WsClient implements AutoCloseable {

  /** The mapper frames are parsed with; shared, do not reconfigure it. */
  public static final ObjectMapper JSON = new ObjectMapper();
  /** The gateway's WebSocket path. */
  public static final String PATH = "/v1/realtime";
  /** The close code reported when the connection ended without a close frame (RFC 6455 §7.1.5). */
  public static final int ABNORMAL_CLOSURE = 1006;

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
  private final Map<JsonNode, Long> receivedAt =
      Collections.synchronizedMap(new IdentityHashMap<>());
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private volatile Predicate<JsonNode> pauseAfter = frame -> false;
  private volatile boolean paused;
  private volatile Link link;

  /** One connection's transport: the JDK's client or a bare socket. */
  sealed interface Link permits JdkLink, SocketLink {
    void sendText(String text);

    void sendBinary(byte[] data);

    /** Reading was resumed: ask for the frame held back, if any. */
    void resumeReading();

    boolean isOpen();

    /** Drops the connection. */
    void close();
  }

  WsClient(final boolean paused) {
    this.paused = paused;
  }

  void attach(final Link link) {
    this.link = link;
  }

  // ---- normal mode

  /** {@code ws://127.0.0.1:<port>/v1/realtime}. */
  public static URI endpoint(final int port) {
    return URI.create("ws://127.0.0.1:" + port + PATH);
  }

  /** Connects to the gateway on local {@code port} with the token in the query string. */
  public static WsClient connect(final int port, final String token) {
    return connect(endpoint(port), token);
  }

  /**
   * Connects with the token in the query string.
   *
   * @throws CompletionException if the upgrade fails or is refused
   */
  public static WsClient connect(final URI endpoint, final String token) {
    return JdkLink.open(withToken(endpoint, token), Optional.empty());
  }

  /** Connects with the token in an {@code Authorization: Bearer} header. */
  public static WsClient connectWithBearer(final URI endpoint, final String token) {
    return JdkLink.open(endpoint, Optional.of("Bearer " + token));
  }

  /**
   * Tries an upgrade to {@code uri}, with {@code authorization} as the header of that name, and
   * returns the HTTP status: 101 if the server accepted (the connection is dropped again).
   */
  public static int upgradeStatus(final URI uri, final Optional<String> authorization) {
    return JdkLink.upgradeStatus(uri, authorization);
  }

  /**
   * Sends {@link #upgradeRequest} on a connection of its own and returns the server's response
   * head (status line and headers, e.g. a {@code 429}'s {@code Retry-After}); the connection is
   * closed again.
   */
  public static String upgradeResponseHead(final URI endpoint, final String token) {
    try (WsClient client = rawSocket(endpoint)) {
      client.sendBytes(upgradeRequest(endpoint, token).getBytes(StandardCharsets.US_ASCII));
      return client.raw().responseHead(WAIT);
    }
  }

  static URI withToken(final URI endpoint, final String token) {
    return URI.create(endpoint + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
  }

  // ---- pause mode

  /**
   * Connects, subscribes to the user channel and stops reading once subscribed: a client that
   * cannot keep up, whose server-side queue fills.
   */
  public static WsClient connectStalled(final URI endpoint, final String token) {
    final WsClient client = connect(endpoint, token);
    client.pauseAfter(frame -> "subscribed".equals(frame.path("op").textValue()));
    return client.send("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\"}");
  }

  /** Stops reading after the frame being read now. */
  public WsClient pause() {
    paused = true;
    return this;
  }

  /** Stops reading after the first frame that matches {@code match}. */
  public WsClient pauseAfter(final Predicate<JsonNode> match) {
    pauseAfter = match;
    return this;
  }

  /** Reads again. */
  public WsClient resume() {
    pauseAfter = frame -> false;
    paused = false;
    link.resumeReading();
    return this;
  }

  boolean paused() {
    return paused;
  }

  // ---- raw mode

  /** A raw client of the gateway on local {@code port}: see {@link #raw(URI, String)}. */
  public static WsClient raw(final int port, final String token) {
    return raw(endpoint(port), token);
  }

  /**
   * A bare socket with a small receive buffer that completes the handshake (token in the query
   * string) and then reads nothing until {@link #resume()} or {@link #readsToTheEnd}.
   *
   * @throws IllegalStateException if the server refuses the upgrade
   */
  public static WsClient raw(final URI endpoint, final String token) {
    final WsClient client = rawSocket(endpoint);
    client.sendBytes(upgradeRequest(endpoint, token).getBytes(StandardCharsets.US_ASCII));
    final int status = client.awaitUpgrade();
    if (status != 101) {
      client.close();
      throw new IllegalStateException("upgrade refused with HTTP " + status);
    }
    return client;
  }

  /**
   * Only a TCP connection to {@code endpoint}'s host and port: send a handshake with
   * {@link #sendBytes} (whole, cut short or altered; see {@link #upgradeRequest}), then
   * {@link #awaitUpgrade()} or {@link #readsToTheEnd}.
   */
  public static WsClient rawSocket(final URI endpoint) {
    return SocketLink.open(endpoint);
  }

  /** The upgrade request a browser would send to {@code endpoint} with {@code token}. */
  public static String upgradeRequest(final URI endpoint, final String token) {
    final URI uri = withToken(endpoint, token);
    return "GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: "
        + uri.getHost() + ":" + uri.getPort() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  }

  /**
   * Raw mode: reads the HTTP response to the handshake sent and returns its status; after a 101
   * the connection speaks WebSocket, still paused.
   */
  public int awaitUpgrade() {
    return raw().awaitUpgrade(WAIT);
  }

  /** Raw mode: writes {@code frame} as it is. */
  public WsClient sendFrame(final WsFrame frame) {
    return sendBytes(frame.encode());
  }

  /** Raw mode: writes {@code bytes} to the socket as they are. */
  public WsClient sendBytes(final byte[] bytes) {
    raw().write(bytes);
    return this;
  }

  /**
   * Raw mode: reads and discards whatever the server sends until the connection ends.
   *
   * @return whether the server closed (or reset) the connection within {@code timeout}
   */
  public boolean readsToTheEnd(final Duration timeout) {
    return raw().readsToTheEnd(timeout);
  }

  private SocketLink raw() {
    if (link instanceof SocketLink raw) {
      return raw;
    }
    throw new IllegalStateException("only a raw client (WsClient.raw, WsClient.rawSocket) can");
  }

  // ---- every mode

  /** Sends one text frame. */
  public WsClient send(final String text) {
    link.sendText(text);
    return this;
  }

  /** Sends one binary frame. */
  public WsClient sendBinary(final byte[] data) {
    link.sendBinary(data);
    return this;
  }

  /**
   * Sends a frame the server is expected to refuse by closing the connection, which may happen
   * while the frame is still being written.
   */
  public void sendExpectingClose(final String text) {
    try {
      send(text);
    } catch (CompletionException | UncheckedIOException e) {
      // the server closed the connection mid-frame: what the caller waits for next
    }
  }

  /** Sends a subscribe and waits for its reply. */
  public JsonNode subscribe(final String ref, final String channel) {
    send("{\"op\":\"subscribe\",\"ref\":\"" + ref + "\",\"channel\":\"" + channel + "\"}");
    return reply(ref);
  }

  /** Sends a ping and waits for its pong: proves the connection still answers. */
  public boolean answersPing(final String ref) {
    send("{\"op\":\"ping\",\"ref\":\"" + ref + "\"}");
    return "pong".equals(reply(ref).path("op").textValue());
  }

  /** Waits for the reply to {@code ref}. */
  public JsonNode reply(final String ref) {
    return awaitFrame(f -> ref.equals(f.path("ref").textValue()));
  }

  /** Waits for the first frame received that matches {@code match}. */
  public JsonNode awaitFrame(final Predicate<JsonNode> match) {
    Awaitility.await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
        .until(() -> frames.stream().anyMatch(match));
    return frames.stream().filter(match).findFirst().orElseThrow();
  }

  /**
   * Every frame received so far, in order: text frames as JSON (one that is not JSON as
   * {@code {"op":"unparseable","raw":…}}), binary ones as {@code {"op":"binary","data":…}}.
   */
  public List<JsonNode> frames() {
    return List.copyOf(frames);
  }

  /** The {@code event} frames received so far, in order. */
  public List<JsonNode> events() {
    return frames.stream().filter(f -> "event".equals(f.path("op").textValue())).toList();
  }

  /** {@link System#nanoTime()} when {@code frame}, one of {@link #frames()}, arrived. */
  public long receivedAt(final JsonNode frame) {
    return Optional.ofNullable(receivedAt.get(frame)).orElseThrow(
        () -> new IllegalArgumentException("not a frame of this client: " + frame));
  }

  /**
   * Completes with the close code the server sent, or {@link #ABNORMAL_CLOSURE} when the
   * connection ended without one.
   */
  public CompletableFuture<Integer> closed() {
    return closed;
  }

  /** Waits for the connection to close and returns the code, as {@link #closed()}. */
  public int awaitClose() {
    Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(closed::isDone);
    return closed.join();
  }

  public boolean isOpen() {
    return !closed.isDone() && link.isOpen();
  }

  /** Drops the connection: the normal mode says goodbye first, the raw mode does not. */
  @Override
  public void close() {
    link.close();
  }

  // ---- from the links

  /** A whole text frame arrived: recorded, and reading paused if it was the awaited one. */
  void receivedText(final String text) {
    JsonNode frame;
    try {
      frame = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      frame = JSON.createObjectNode().put("op", "unparseable").put("raw", text);
    }
    record(frame);
  }

  void receivedBinary(final byte[] data) {
    record(JSON.createObjectNode().put("op", "binary").put("data", data));
  }

  private void record(final JsonNode frame) {
    receivedAt.put(frame, System.nanoTime());
    frames.add(frame);
    if (pauseAfter.test(frame)) {
      paused = true;
    }
  }

  void closedWith(final int code) {
    closed.complete(code);
  }
}
