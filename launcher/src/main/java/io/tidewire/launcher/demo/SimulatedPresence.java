package io.tidewire.launcher.demo;

import io.tidewire.client.BroadcastChannel;
import io.tidewire.client.TidewireClient;
import io.tidewire.launcher.DevTokens;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo users online, through the real Java client: one {@link TidewireClient} per demo user
 * (sharing one scheduler thread), each joined to {@link #LOBBY} and tracked with its name, so the
 * demo page shows them as online; before the simulator writes one of their comments they type in the
 * content item's channel ({@code item:<contentType>:<id>}, a {@code typing} broadcast with their
 * name), so the page shows "… is typing" under that item. They reconnect like any client.
 *
 * <p>Thread-safe.
 */
public final class SimulatedPresence implements TrafficSimulator.Typist {

  /** The channel whose presence is "who is online" on the demo page. */
  public static final String LOBBY = "room:lobby";
  /** The broadcast event of typing indicators (as the JS hook `useTypingIndicator` sends it). */
  public static final String TYPING = "typing";

  private static final Logger LOG = LoggerFactory.getLogger(SimulatedPresence.class);
  private static final Duration TOKEN_TTL = Duration.ofMinutes(15);

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    final Thread t = new Thread(r, "tidewire-simulated-presence");
    t.setDaemon(true);
    return t;
  });
  private final Map<UUID, TidewireClient> clients = new LinkedHashMap<>();
  private final Map<UUID, String> names = new LinkedHashMap<>();

  private SimulatedPresence() {}

  /**
   * Connects every demo user (not waiting for the connections: they come up with the gateways),
   * joins the lobby and tracks each user's name. With several gateways the users are spread over
   * them (user {@code k} on gateway {@code k mod n}), so presence and typing cross gateways.
   *
   * @param endpoints the gateways' WebSocket endpoints, at least one
   */
  public static SimulatedPresence start(final List<URI> endpoints, final DevTokens tokens) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no gateway endpoint");
    }
    final SimulatedPresence presence = new SimulatedPresence();
    for (int k = 0; k < DemoUser.ALL.size(); k++) {
      final DemoUser user = DemoUser.ALL.get(k);
      final TidewireClient client = TidewireClient.builder(endpoints.get(k % endpoints.size()))
          .token(() -> tokens.mint(user.id().toString(), TOKEN_TTL))
          .scheduler(presence.scheduler)
          .onError(e -> LOG.debug("simulated {}: {} {}", user.name(), e.kind(), e.message()))
          .build();
      presence.clients.put(user.id(), client);
      presence.names.put(user.id(), user.name());
      final BroadcastChannel lobby = client.channel(LOBBY);
      lobby.join();
      lobby.track(Map.of("name", user.name(), "simulated", true));
      client.connect();
    }
    LOG.info("Simulated presence: {} demo users online in {}", DemoUser.ALL.size(), LOBBY);
    return presence;
  }

  @Override
  public void startTyping(final UUID user, final String contentType, final String contentId) {
    channel(user, contentType, contentId).ifPresent(item -> item.join().thenCompose(state ->
        item.broadcast(TYPING, Map.of("typing", true, "name", names.get(user)))).exceptionally(e -> {
          LOG.debug("simulated typing failed: {}", e.toString());
          return Optional.empty();
        }));
  }

  @Override
  public void stopTyping(final UUID user, final String contentType, final String contentId) {
    channel(user, contentType, contentId).ifPresent(item -> item.broadcast(TYPING, Map.of("typing", false))
        .whenComplete((r, e) -> item.leave()));
  }

  private Optional<BroadcastChannel> channel(final UUID user, final String contentType, final String contentId) {
    return Optional.ofNullable(clients.get(user)).map(c -> c.channel(itemChannel(contentType, contentId)));
  }

  /** {@code item:<contentType>:<contentId>}, the channel of one content item. */
  public static String itemChannel(final String contentType, final String contentId) {
    return "item:" + contentType + ":" + contentId;
  }

  @Override
  public void close() {
    clients.values().forEach(TidewireClient::close);
    scheduler.shutdownNow();
  }
}
