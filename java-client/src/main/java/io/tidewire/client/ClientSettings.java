package io.tidewire.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Everything a {@link TidewireClient} is built with, validated. Immutable.
 *
 * @param endpoint {@code ws://} or {@code wss://} URI of the gateway's WebSocket endpoint
 * @param tokens asks the application for a token (called per connection and per refresh)
 * @param channels what to subscribe to, distinct names
 * @param initialCursors where to resume each channel from (channel name → cursor)
 * @param listeners the application's callbacks
 * @param backoffBase ceiling of the first reconnect delay
 * @param backoffCap largest reconnect delay
 * @param random jitter source
 * @param stableAfter how long a connection must stay up before the backoff starts over
 * @param connectTimeout limit for opening a connection, getting a token and getting every
 *     subscription confirmed
 * @param pingInterval how often an idle connection is pinged; zero disables the heartbeat
 * @param closeTimeout how long {@code close()} waits for the gateway to answer the close
 * @param dedupCapacity how many recent event ids are remembered
 * @param httpClient a shared HTTP client, or empty for one owned (and released) by the client
 * @param scheduler a shared scheduler, or empty for a thread owned by the client
 */
record ClientSettings(URI endpoint, Supplier<? extends CompletionStage<String>> tokens,
    List<Channel> channels, Map<String, String> initialCursors, Listeners listeners,
    Duration backoffBase, Duration backoffCap, RandomGenerator random, Duration stableAfter,
    Duration connectTimeout, Duration pingInterval, Duration closeTimeout, int dedupCapacity,
    Optional<HttpClient> httpClient, Optional<ScheduledExecutorService> scheduler) {

  /**
   * @throws IllegalArgumentException if a value is out of range, or a cursor is given for a
   *     channel that is not subscribed
   */
  ClientSettings {
    Objects.requireNonNull(endpoint, "endpoint");
    final String scheme = Optional.ofNullable(endpoint.getScheme()).orElse("").toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      throw new IllegalArgumentException("endpoint must be a ws:// or wss:// URI, was " + endpoint);
    }
    Objects.requireNonNull(tokens, "a token supplier is required (token(...) or tokenAsync(...))");
    channels = List.copyOf(channels);
    final Set<String> names = new HashSet<>();
    for (final Channel channel : channels) {
      if (!names.add(channel.name())) {
        throw new IllegalArgumentException("channel " + channel.name() + " is subscribed twice");
      }
    }
    initialCursors = Map.copyOf(initialCursors);
    for (final String channel : initialCursors.keySet()) {
      if (!names.contains(channel)) {
        throw new IllegalArgumentException("a cursor is given for " + channel + ", which is not subscribed");
      }
    }
    Objects.requireNonNull(listeners, "listeners");
    positive("backoff base", backoffBase);
    positive("backoff cap", backoffCap);
    if (backoffCap.compareTo(backoffBase) < 0) {
      throw new IllegalArgumentException("backoff cap " + backoffCap + " is below base " + backoffBase);
    }
    Objects.requireNonNull(random, "random");
    positive("stableAfter", stableAfter);
    positive("connectTimeout", connectTimeout);
    if (pingInterval.isNegative()) {
      throw new IllegalArgumentException("pingInterval must not be negative, was " + pingInterval);
    }
    positive("closeTimeout", closeTimeout);
    if (dedupCapacity < 1) {
      throw new IllegalArgumentException("dedupCapacity must be at least 1, was " + dedupCapacity);
    }
    Objects.requireNonNull(httpClient, "httpClient");
    Objects.requireNonNull(scheduler, "scheduler");
  }

  private static void positive(final String name, final Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
