package io.tidewire.gateway.phoenix;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Meters of the Supabase Realtime endpoint: {@code tidewire.gateway.supabase.joins} (channels
 * joined) and {@code tidewire.gateway.supabase.refusals{reason}} (joins and messages refused:
 * {@code channels}, {@code joins}, {@code token}, {@code binding}, {@code config}, {@code position},
 * {@code private}, {@code topic}, {@code unmatched_topic}, {@code stream}, {@code channel} (a join
 * of a broadcast/presence channel the channel rules refuse), {@code broadcast} and {@code presence}
 * (pushes refused before they reach the core: on a channel the rules do not open, a bad event name
 * or payload; the core's own refusals count in {@code tidewire.gateway.channel.refusals}),
 * {@code malformed}). Thread-safe.
 */
public final class PhoenixMetrics {

  private final MeterRegistry registry;
  private final Counter joins;
  private final Map<String, Counter> refusals = new ConcurrentHashMap<>();

  public PhoenixMetrics(final MeterRegistry registry) {
    this.registry = registry;
    this.joins = Counter.builder("tidewire.gateway.supabase.joins")
        .description("Supabase Realtime channels joined").register(registry);
  }

  void joined() {
    joins.increment();
  }

  void refused(final String reason) {
    refusals.computeIfAbsent(reason, r -> Counter.builder("tidewire.gateway.supabase.refusals")
        .description("Supabase Realtime joins and messages refused").tag("reason", r).register(registry))
        .increment();
  }
}
