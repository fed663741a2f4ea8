package io.tidewire.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A bare JDK WebSocket to a gateway for the broadcast/presence scenario: sends frames, keeps every
 * frame it receives with its arrival time ({@link System#nanoTime()}, taken in the listener before
 * parsing), and waits for one that matches.
 *
 * <p>Thread-safe.
 */
public final class ChannelSocket implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /**
   * A frame and when it arrived.
   *
   * @param frame the frame
   * @param nanos {@link System#nanoTime()} at arrival
   */
  public record Received(JsonNode frame, long nanos) {}

  private final WebSocket socket;
  private final List<Received> received = new ArrayList<>();

  private ChannelSocket(final URI endpoint, final String token) {
    final StringBuilder partial = new StringBuilder();
    this.socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
        .buildAsync(URI.create(endpoint + "?token=" + token), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(final WebSocket ws, final CharSequence data, final boolean last) {
            final long now = System.nanoTime();
            partial.append(data);
            if (last) {
              final String text = partial.toString();
              partial.setLength(0);
              try {
                final JsonNode frame = JSON.readTree(text);
                synchronized (received) {
                  received.add(new Received(frame, now));
                  received.notifyAll();
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
            ws.request(1);
            return null;
          }
        }).join();
  }

  /** Connects to {@code endpoint} with {@code token}. */
  public static ChannelSocket open(final URI endpoint, final String token) {
    return new ChannelSocket(endpoint, token);
  }

  /** Sends one text frame and waits until it is handed to the socket. */
  public void send(final String text) {
    socket.sendText(text, true).join();
  }

  /** Waits up to {@code timeout} for the first frame matching {@code match}. */
  public Received await(final Predicate<JsonNode> match, final Duration timeout)
      throws InterruptedException, TimeoutException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (received) {
      while (true) {
        for (final Received r : received) {
          if (match.test(r.frame())) {
            return r;
          }
        }
        final long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("no matching frame within " + timeout);
        }
        received.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
  }
}
