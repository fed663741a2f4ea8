package io.tidewire.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.protocol.ProtocolCodes.ErrorCode;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's meters, registered once on the registry the launcher passes in (names use dots;
 * Prometheus shows {@code tidewire_gateway_…}):
 *
 * <ul>
 *   <li>{@code tidewire.gateway.connections} gauge: open WebSocket sessions
 *   <li>{@code tidewire.gateway.frames.in} / {@code .frames.out}: text frames received / sent
 *   <li>{@code tidewire.gateway.events.delivered{channel}}: event frames queued to sessions
 *   <li>{@code tidewire.gateway.records.read{topic}}: records the live tails read
 *   <li>{@code tidewire.gateway.records.skipped{topic}}: records that could not be decoded
 *   <li>{@code tidewire.gateway.errors{code}}: error frames sent, by code
 *   <li>{@code tidewire.gateway.slow.consumer.disconnects}
 *   <li>{@code tidewire.gateway.upgrade.rejections{reason}}: upgrades refused with HTTP 401
 *   <li>{@code tidewire.gateway.oversized.frames}: connections closed with 1009
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class GatewayMetrics {

  private final MeterRegistry registry;
  private final AtomicInteger connections = new AtomicInteger();
  private final Counter framesIn;
  private final Counter framesOut;
  private final Counter slowConsumers;
  private final Counter oversized;
  private final Map<Channel.Kind, Counter> delivered = new EnumMap<>(Channel.Kind.class);
  private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
  private final Map<String, Counter> rejections = new ConcurrentHashMap<>();
  private final Map<String, Counter> recordsRead = new ConcurrentHashMap<>();
  private final Map<String, Counter> recordsSkipped = new ConcurrentHashMap<>();

  public GatewayMetrics(final MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("tidewire.gateway.connections", connections, AtomicInteger::get)
        .description("open WebSocket sessions").register(registry);
    framesIn = Counter.builder("tidewire.gateway.frames.in").description("text frames received")
        .register(registry);
    framesOut = Counter.builder("tidewire.gateway.frames.out").description("text frames sent")
        .register(registry);
    slowConsumers = Counter.builder("tidewire.gateway.slow.consumer.disconnects")
        .description("sessions closed because their send queue overflowed").register(registry);
    oversized = Counter.builder("tidewire.gateway.oversized.frames")
        .description("sessions closed with 1009 for a frame over the limit").register(registry);
    for (final Channel.Kind kind : Channel.Kind.values()) {
      delivered.put(kind, Counter.builder("tidewire.gateway.events.delivered")
          .description("event frames queued to sessions").tag("channel", kind.wire())
          .register(registry));
    }
    for (final ErrorCode code : ErrorCode.values()) {
      errors.put(code, Counter.builder("tidewire.gateway.errors")
          .description("error frames sent").tag("code", code.wire()).register(registry));
    }
  }

  /** A session opened. */
  public void connectionOpened() {
    connections.incrementAndGet();
  }

  /** A session closed. */
  public void connectionClosed() {
    connections.decrementAndGet();
  }

  /** Open sessions. */
  public int connections() {
    return connections.get();
  }

  public void frameIn() {
    framesIn.increment();
  }

  public void frameOut() {
    framesOut.increment();
  }

  public void eventDelivered(final Channel.Kind kind) {
    delivered.get(kind).increment();
  }

  public void error(final ErrorCode code) {
    errors.get(code).increment();
  }

  public void slowConsumerDisconnect() {
    slowConsumers.increment();
  }

  public void oversizedFrame() {
    oversized.increment();
  }

  /** An upgrade refused with 401, by reason (a {@code TokenVerdict.Reason} name, lower case). */
  public void upgradeRejected(final String reason) {
    rejections.computeIfAbsent(reason, r -> Counter.builder("tidewire.gateway.upgrade.rejections")
        .description("WebSocket upgrades refused with HTTP 401").tag("reason", r)
        .register(registry)).increment();
  }

  public void recordRead(final String topic) {
    recordsRead.computeIfAbsent(topic, t -> Counter.builder("tidewire.gateway.records.read")
        .description("records read by the live tails").tag("topic", t).register(registry))
        .increment();
  }

  public void recordSkipped(final String topic) {
    recordsSkipped.computeIfAbsent(topic, t -> Counter.builder("tidewire.gateway.records.skipped")
        .description("records the live tails could not decode").tag("topic", t).register(registry))
        .increment();
  }
}
