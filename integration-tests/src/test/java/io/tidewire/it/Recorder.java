package io.tidewire.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewire.client.Channel;
import io.tidewire.client.ConnectionState;
import io.tidewire.client.Snapshot;
import io.tidewire.client.Subscribed;
import io.tidewire.client.TidewireClient;
import io.tidewire.testing.WsClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real {@link TidewireClient} session of one user on the user channel, recording everything it
 * handed to the app, in order: events (as JSON: id, type, cursor, data), snapshots, subscribe
 * replies and connection states.
 */
final class Recorder implements AutoCloseable {

  final List<JsonNode> events = new CopyOnWriteArrayList<>();
  /** Everything in arrival order: events as above, snapshots as {op:"snapshot", data}. */
  final List<JsonNode> timeline = new CopyOnWriteArrayList<>();
  final List<Snapshot> snapshots = new CopyOnWriteArrayList<>();
  final List<Subscribed> subscribed = new CopyOnWriteArrayList<>();
  final List<ConnectionState> states = new CopyOnWriteArrayList<>();
  private final TidewireClient client;

  Recorder(final URI endpoint, final UUID user, final Optional<String> resumeFrom) {
    final TidewireClient.Builder builder = TidewireClient.builder(endpoint)
        .token(() -> SharedStack.TOKENS.mint(user.toString(), Duration.ofMinutes(10)))
        .subscribe(Channel.user())
        .backoff(Duration.ofMillis(50), Duration.ofSeconds(1))
        .onEvent(e -> {
          final ObjectNode json = WsClient.JSON.createObjectNode()
              .put("op", "event").put("id", e.id()).put("type", e.type())
              .put("cursor", e.cursor());
          json.set("data", e.data());
          events.add(json);
          timeline.add(json);
        })
        .onSnapshot(s -> {
          snapshots.add(s);
          final ObjectNode json = WsClient.JSON.createObjectNode().put("op", "snapshot");
          json.set("data", s.data());
          timeline.add(json);
        })
        .onSubscribed(subscribed::add)
        .onStateChange(states::add);
    resumeFrom.ifPresent(cursor -> builder.resumeFrom(Channel.USER, cursor));
    client = builder.build();
    client.connect().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
  }

  /** The cursor of the last event handled. */
  Optional<String> cursor() {
    return client.cursor(Channel.USER);
  }

  /** How often the client reached CONNECTED. */
  long connects() {
    return states.stream().filter(s -> s == ConnectionState.CONNECTED).count();
  }

  List<JsonNode> events() {
    return new ArrayList<>(events);
  }

  @Override
  public void close() {
    client.close();
  }
}
