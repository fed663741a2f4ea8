package io.tidewire.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewire.testing.WsClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One user's real WebSocket client ({@link WsClient}) on the user channel that fails over: it
 * keeps the cursor of the last event it handled and, when its connection ends (its gateway
 * killed, or closed with {@code 1001}), connects to the next gateway of the list (the other one
 * first), subscribes with that cursor and records the reply's {@code recovered} flag, how long it
 * was away (from the end of the connection to the reply) and every event of every connection with
 * its arrival time. Duplicates are kept as received; the ledger de-duplicates by id.
 *
 * <p>Thread-safe; reconnects run on the client's own thread.
 */
final class FailoverClient implements AutoCloseable {

  /** One event frame as it arrived. */
  record Received(JsonNode event, long atNanos) {}

  private static final Logger LOG = LoggerFactory.getLogger(FailoverClient.class);
  private static final Duration REPLY_WAIT = Duration.ofMinutes(2);
  private static final Duration GIVE_UP = Duration.ofMinutes(5);

  private final String name;
  private final List<URI> gateways;
  private final Supplier<String> token;
  private final ScheduledExecutorService reconnects;
  private final List<WsClient> connections = new CopyOnWriteArrayList<>();
  private final List<Boolean> resumes = new CopyOnWriteArrayList<>();
  private final List<String> snapshots = new CopyOnWriteArrayList<>();
  private final AtomicInteger refs = new AtomicInteger();
  private volatile int gateway;
  private volatile String cursor;
  private volatile long maxAwayNanos;
  private volatile long awaySince;
  private volatile boolean closed;
  private volatile Optional<String> failure = Optional.empty();

  /**
   * Connects to {@code gateways.get(home)} and subscribes to the user channel without a cursor:
   * only events after the reply arrive.
   */
  FailoverClient(final String name, final List<URI> gateways, final int home,
      final Supplier<String> token) {
    this.name = name;
    this.gateways = List.copyOf(gateways);
    this.token = token;
    this.gateway = home;
    this.reconnects = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "failover-" + name));
    final WsClient c = WsClient.connect(gateways.get(home), token.get());
    final JsonNode reply = subscribe(c, Optional.empty());
    if (!"subscribed".equals(reply.path("op").asText())) {
      c.close();
      throw new IllegalStateException(name + ": subscribe refused: " + reply);
    }
    cursor = reply.path("cursor").asText();
    watch(c);
  }

  private JsonNode subscribe(final WsClient c, final Optional<String> from) {
    final String ref = "s" + refs.incrementAndGet();
    final ObjectNode frame = WsClient.JSON.createObjectNode().put("op", "subscribe")
        .put("ref", ref).put("channel", "user");
    from.ifPresent(cur -> frame.put("cursor", cur));
    c.send(frame.toString());
    final Supplier<Optional<JsonNode>> reply = () -> c.frames().stream()
        .filter(f -> ref.equals(f.path("ref").textValue())).findFirst();
    Awaitility.await().atMost(REPLY_WAIT).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10)).until(() -> reply.get().isPresent() || !c.isOpen());
    return reply.get().orElseThrow(
        () -> new IllegalStateException("connection closed before the reply to " + ref));
  }

  private void watch(final WsClient c) {
    connections.add(c);
    c.closed().thenRun(() -> {
      if (!closed) {
        awaySince = System.nanoTime();
        reconnects.execute(this::failOver);
      }
    });
  }

  /** Keeps trying the gateways in turn, from the next one, until one resumes the subscription. */
  private void failOver() {
    final WsClient last = connections.get(connections.size() - 1);
    lastCursor(last).ifPresent(cur -> cursor = cur);
    final long since = awaySince;
    tryResume(1, since, since + GIVE_UP.toNanos());
  }

  /** One attempt on the next gateway; a failed one schedules the next after a growing backoff. */
  private void tryResume(final int attempt, final long since, final long giveUp) {
    if (closed) {
      return;
    }
    if (System.nanoTime() >= giveUp) {
      failure = Optional.of(name + ": could not resume within " + GIVE_UP);
      LOG.error(failure.get());
      return;
    }
    gateway = (gateway + 1) % gateways.size();
    WsClient c = null;
    try {
      c = WsClient.connect(gateways.get(gateway), token.get());
      final JsonNode reply = subscribe(c, Optional.of(cursor));
      if ("subscribed".equals(reply.path("op").asText())) {
        final long away = System.nanoTime() - since;
        maxAwayNanos = Math.max(maxAwayNanos, away);
        final boolean recovered = reply.path("recovered").asBoolean();
        resumes.add(recovered);
        if (!recovered) {
          snapshots.add(reply.toString());
        }
        LOG.info("{}: resumed on {} after {} ms (attempt {}), recovered={}", name,
            gateways.get(gateway), away / 1_000_000, attempt, recovered);
        watch(c);
        return;
      }
      LOG.info("{}: resume refused by {}: {}", name, gateways.get(gateway), reply);
      c.close();
    } catch (CompletionException | IllegalStateException | ConditionTimeoutException e) {
      if (c != null) {
        c.close();
      }
    }
    try {
      reconnects.schedule(() -> tryResume(attempt + 1, since, giveUp), Math.min(1000, 100L * attempt),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  /** The cursor of the last event of {@code c}, else of its subscribe reply. */
  private static Optional<String> lastCursor(final WsClient c) {
    final List<JsonNode> frames = c.frames();
    for (int i = frames.size() - 1; i >= 0; i--) {
      final JsonNode f = frames.get(i);
      final String op = f.path("op").asText();
      if (("event".equals(op) || "subscribed".equals(op) || "snapshot".equals(op))
          && f.hasNonNull("cursor")) {
        return Optional.of(f.path("cursor").asText());
      }
    }
    return Optional.empty();
  }

  String name() {
    return name;
  }

  /** Every event of every connection, in arrival order per connection. */
  List<JsonNode> events() {
    final List<JsonNode> all = new ArrayList<>();
    connections.forEach(c -> all.addAll(c.events()));
    return all;
  }

  /** {@link #events()} with their arrival times. */
  List<Received> received() {
    final List<Received> all = new ArrayList<>();
    for (final WsClient c : connections) {
      for (final JsonNode e : c.events()) {
        all.add(new Received(e, c.receivedAt(e)));
      }
    }
    return all;
  }

  /** Whether the current connection (the last one subscribed) is open. */
  boolean connected() {
    final WsClient c = connections.get(connections.size() - 1);
    return c.isOpen();
  }

  /** How many times the client resumed on a new connection. */
  int resumes() {
    return resumes.size();
  }

  /** How many resumes were answered with {@code recovered:true}. */
  int recoveredResumes() {
    return (int) resumes.stream().filter(r -> r).count();
  }

  /** Whether every resume so far was answered with {@code recovered:true}. */
  boolean allRecovered() {
    return !resumes.contains(false);
  }

  /** The gateway (index in the list) of the current connection. */
  int gateway() {
    return gateway;
  }

  /** The longest time from a connection's end to the resumed subscription, in ms. */
  long maxAwayMillis() {
    return TimeUnit.NANOSECONDS.toMillis(maxAwayNanos);
  }

  /** Events received more than once (by id), absorbed by de-duplication. */
  long duplicates() {
    final List<JsonNode> all = events();
    return all.size() - all.stream().map(e -> e.path("id").asText()).distinct().count();
  }

  /** Why the client gave up resuming, if it did. */
  Optional<String> failure() {
    return failure;
  }

  @Override
  public void close() {
    closed = true;
    reconnects.shutdownNow();
    connections.forEach(WsClient::close);
  }

  @Override
  public String toString() {
    return name + " (gateway " + (gateway + 1) + ", resumes " + resumes + ")";
  }
}
