package io.tidewire.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.auth.TokenVerdict;
import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.recovery.ResumePlan;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import io.tidewire.schemas.Topics;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

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
 *   <li>{@code tidewire.gateway.connection.refusals{reason}}: upgrades refused with HTTP 429, by the
 *       cap that was full: {@code global}, {@code user}, {@code address}
 *   <li>{@code tidewire.gateway.handshake.timeouts}: connections closed because they did not
 *       complete an upgrade (or a next HTTP request) within the handshake deadline
 *   <li>{@code tidewire.gateway.ping.timeouts}: sessions closed for missing pongs
 *   <li>{@code tidewire.gateway.oversized.frames}: connections closed with 1009
 *   <li>{@code tidewire.gateway.aborted.connections}: sockets dropped because the client did not
 *       complete a close (it stopped reading)
 *   <li>{@code tidewire.gateway.send.queue.peak.bytes}: per closed session, the most bytes that
 *       waited in its send queue (its max shows the memory bound holds)
 *   <li>{@code tidewire.gateway.events.replayed{channel}}: event frames queued by replays
 *   <li>{@code tidewire.gateway.replay.records.read}: records replays read (all users' records of
 *       a partition count)
 *   <li>{@code tidewire.gateway.replays{outcome}}: finished replays by outcome: {@code live},
 *       {@code unrecoverable}, {@code failed}, {@code stalled}, {@code cancelled}, {@code rejected}
 *   <li>{@code tidewire.gateway.replay.duration}: time from subscribe to live of replays that
 *       caught up
 *   <li>{@code tidewire.gateway.replays.pending} gauge: replays admitted and not finished
 *   <li>{@code tidewire.gateway.replay.slots.refused{scope}}: resumes refused because the session,
 *       the user or the gateway had every replay slot taken ({@code session}, {@code user},
 *       {@code gateway})
 *   <li>{@code tidewire.gateway.frames.rate.limited}: client frames refused for the session's rate
 *   <li>{@code tidewire.gateway.rate.limited.disconnects}: sessions closed with 4029
 *   <li>{@code tidewire.gateway.cursors.tampered}: cursors whose MAC did not verify
 *   <li>{@code tidewire.gateway.unrecoverable.cursors{reason}}: cursors that could not be replayed
 *   <li>{@code tidewire.gateway.snapshots}: snapshot frames sent
 *   <li>{@code tidewire.gateway.user.states} gauge: users in the materialized state store
 *   <li>{@code tidewire.gateway.tail.partitions{topic}} gauge: partitions each live tail reads
 *   <li>{@code tidewire.gateway.tail.partition.changes{topic}}: partition count changes a live tail
 *       followed (partitions added to its topic)
 *   <li>{@code tidewire.gateway.tail.lag{topic}} gauge: records the live tail of an event topic is
 *       behind the topic's end (its last stable offset), summed over the partitions, as of the
 *       tail's last poll
 *   <li>{@code tidewire.gateway.token.rejections{reason}}: tokens refused (upgrades and auth ops),
 *       registered by {@link JwtVerifier#rejectionCounters}
 *   <li>{@code tidewire.gateway.broadcasts.published}: broadcasts Kafka stored for this gateway's
 *       sessions
 *   <li>{@code tidewire.gateway.broadcasts.delivered}: broadcast frames queued to sessions
 *   <li>{@code tidewire.gateway.presence.diffs.delivered}: presence diff frames queued to sessions
 *   <li>{@code tidewire.gateway.channel.refusals{reason}}: broadcast/presence requests refused, by
 *       the rule or limit: one of {@link #CHANNEL_REFUSALS}
 *   <li>{@code tidewire.gateway.presences} gauge: presences of every gateway this gateway knows
 *   <li>{@code tidewire.gateway.channels.joined} gauge: channels with a member on this gateway
 *   <li>{@code tidewire.gateway.presence.gateways.expired}: other gateways declared dead (lease
 *       ran out) or stopped (lease ended), whose presences left
 * </ul>
 *
 * <p>Every meter whose tags are known without traffic (channels, codes, reasons, outcomes, the
 * topics the gateway reads) is registered at zero by the constructor, gauges included, so that a
 * scrape shows it, and a rate over it is right, before the gateway starts.
 *
 * <p>Thread-safe.
 */
public final class GatewayMetrics {

  /** The topics the gateway tails live, whose meters are tagged with their names. */
  private static final List<String> EVENT_TOPICS = List.of(Topics.USER_EVENTS.name(), Topics.FEED_EVENTS.name(),
      Topics.PUBLIC_CHANGES.name());

  /** Which cap refused an upgrade with HTTP 429. */
  public static final List<String> REFUSAL_REASONS = List.of("global", "user", "address");

  /** How a replay can end. */
  public static final List<String> REPLAY_OUTCOMES =
      List.of("live", "unrecoverable", "failed", "stalled", "cancelled", "rejected");

  /**
   * Why a broadcast/presence request was refused: {@code forbidden} (no channel rule admits the
   * join), {@code not_joined}, {@code channels_per_session}, {@code payload_size},
   * {@code broadcast_rate}, {@code meta_size}, {@code track_rate}, {@code presence_keys}.
   */
  public static final List<String> CHANNEL_REFUSALS = List.of("forbidden", "not_joined",
      "channels_per_session", "payload_size", "broadcast_rate", "meta_size", "track_rate", "presence_keys");

  /** The broadcast/presence topics, whose records the gateway reads and counts. */
  private static final List<String> CHANNEL_TOPICS = List.of(Topics.BROADCAST.name(), Topics.PRESENCE.name());

  private final MeterRegistry registry;
  private final Map<String, Counter> channelRefusals = new ConcurrentHashMap<>();
  private final Counter broadcastsPublished;
  private final Counter broadcastsDelivered;
  private final Counter presenceDiffs;
  private final Counter gatewaysExpired;
  private final AtomicReference<Supplier<Number>> presences = new AtomicReference<>(() -> 0);
  private final AtomicReference<Supplier<Number>> channelsJoined = new AtomicReference<>(() -> 0);
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
  private final Counter aborted;
  private final DistributionSummary peakQueueBytes;
  private final Map<Channel.Kind, Counter> replayed = new EnumMap<>(Channel.Kind.class);
  private final Counter replayRecords;
  private final Map<String, Counter> replays = new ConcurrentHashMap<>();
  private final Timer replayDuration;
  private final Map<ResumePlan.Reason, Counter> unrecoverable = new EnumMap<>(ResumePlan.Reason.class);
  private final Counter snapshots;
  private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
  private final Counter handshakeTimeouts;
  private final Counter pingTimeouts;
  private final Counter framesRateLimited;
  private final Counter rateLimitedDisconnects;
  private final Counter cursorsTampered;
  private final Map<String, Counter> slotsRefused = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> tailPartitions = new ConcurrentHashMap<>();
  private final Map<String, Counter> partitionChanges = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<DoubleSupplier>> tailLag = new ConcurrentHashMap<>();
  private final AtomicReference<Supplier<Number>> replaysPending = new AtomicReference<>(() -> 0);
  private final AtomicReference<Supplier<Number>> userStates = new AtomicReference<>(() -> 0);
  private final AtomicReference<Supplier<Number>> contentItems = new AtomicReference<>(() -> 0);

  public GatewayMetrics(final MeterRegistry registry) {
    this.registry = registry;
    // gauges hold their state strongly: a weakly held one reads NaN once these metrics are collected
    Gauge.builder("tidewire.gateway.connections", connections, AtomicInteger::get).strongReference(true)
        .description("open WebSocket sessions").register(registry);
    framesIn = Counter.builder("tidewire.gateway.frames.in").description("text frames received")
        .register(registry);
    framesOut = Counter.builder("tidewire.gateway.frames.out").description("text frames sent")
        .register(registry);
    slowConsumers = Counter.builder("tidewire.gateway.slow.consumer.disconnects")
        .description("sessions closed because their send queue overflowed").register(registry);
    oversized = Counter.builder("tidewire.gateway.oversized.frames")
        .description("sessions closed with 1009 for a frame over the limit").register(registry);
    perChannel(delivered, "tidewire.gateway.events.delivered", "event frames queued to sessions");
    aborted = Counter.builder("tidewire.gateway.aborted.connections")
        .description("sockets dropped because the client did not complete a close").register(registry);
    peakQueueBytes = DistributionSummary.builder("tidewire.gateway.send.queue.peak.bytes")
        .description("per closed session, the most bytes that waited in its send queue")
        .baseUnit("bytes").register(registry);
    perChannel(replayed, "tidewire.gateway.events.replayed", "event frames queued by replays");
    replayRecords = Counter.builder("tidewire.gateway.replay.records.read")
        .description("records read by replays").register(registry);
    replayDuration = Timer.builder("tidewire.gateway.replay.duration")
        .description("subscribe to live, for replays that caught up").register(registry);
    for (final ResumePlan.Reason reason : ResumePlan.Reason.values()) {
      unrecoverable.put(reason, Counter.builder("tidewire.gateway.unrecoverable.cursors")
          .description("cursors that could not be replayed")
          .tag("reason", reason.name().toLowerCase(Locale.ROOT)).register(registry));
    }
    snapshots = Counter.builder("tidewire.gateway.snapshots").description("snapshot frames sent")
        .register(registry);
    for (final String reason : REFUSAL_REASONS) {
      refusals.put(reason, Counter.builder("tidewire.gateway.connection.refusals")
          .description("WebSocket upgrades refused with HTTP 429, by the cap that was full")
          .tag("reason", reason).register(registry));
    }
    handshakeTimeouts = Counter.builder("tidewire.gateway.handshake.timeouts")
        .description("connections closed for not completing an upgrade within the handshake deadline")
        .register(registry);
    pingTimeouts = Counter.builder("tidewire.gateway.ping.timeouts")
        .description("sessions closed because they missed pongs").register(registry);
    framesRateLimited = Counter.builder("tidewire.gateway.frames.rate.limited")
        .description("client frames refused for the session's rate").register(registry);
    rateLimitedDisconnects = Counter.builder("tidewire.gateway.rate.limited.disconnects")
        .description("sessions closed with 4029 for sending too fast").register(registry);
    cursorsTampered = Counter.builder("tidewire.gateway.cursors.tampered")
        .description("cursors refused because their MAC did not verify").register(registry);
    for (final String scope : List.of("session", "user", "gateway")) {
      slotRefused(scope, 0);
    }
    for (final String outcome : REPLAY_OUTCOMES) {
      replayFinished(outcome, 0);
    }
    for (final ErrorCode code : ErrorCode.values()) {
      errors.put(code, Counter.builder("tidewire.gateway.errors")
          .description("error frames sent").tag("code", code.wire()).register(registry));
    }
    for (final TokenVerdict.Reason reason : TokenVerdict.Reason.values()) {
      rejectionCounter(reason.name().toLowerCase(Locale.ROOT));
    }
    JwtVerifier.rejectionCounters(registry);
    for (final String topic : EVENT_TOPICS) {
      final AtomicInteger count = new AtomicInteger();
      tailPartitions.put(topic, count);
      Gauge.builder("tidewire.gateway.tail.partitions", count, AtomicInteger::get).strongReference(true)
          .description("partitions the live tail reads").tag("topic", topic).register(registry);
      partitionChanges.put(topic, Counter.builder("tidewire.gateway.tail.partition.changes")
          .description("partition count changes the live tail followed").tag("topic", topic).register(registry));
      final AtomicReference<DoubleSupplier> lag = new AtomicReference<>(() -> 0);
      tailLag.put(topic, lag);
      Gauge.builder("tidewire.gateway.tail.lag", lag, l -> l.get().getAsDouble()).strongReference(true)
          .description("records the live tail is behind the topic's end, as of its last poll")
          .tag("topic", topic).baseUnit("records").register(registry);
      recordsReadCounter(topic);
    }
    for (final String topic : List.of(Topics.USER_EVENTS.name(), Topics.FEED_EVENTS.name(),
        Topics.PUBLIC_CHANGES.name(), Topics.USER_STATE.name(), Topics.CONTENT_ACCESS.name())) {
      recordsSkippedCounter(topic);
    }
    Gauge.builder("tidewire.gateway.replays.pending", replaysPending, p -> p.get().get().doubleValue())
        .strongReference(true)
        .description("replays admitted and not finished").register(registry);
    Gauge.builder("tidewire.gateway.user.states", userStates, s -> s.get().get().doubleValue()).strongReference(true)
        .description("users in the materialized state store").register(registry);
    Gauge.builder("tidewire.gateway.content.items", contentItems, s -> s.get().get().doubleValue())
        .strongReference(true)
        .description("content items in the materialized content-access view").register(registry);
    broadcastsPublished = Counter.builder("tidewire.gateway.broadcasts.published")
        .description("broadcasts Kafka stored for this gateway's sessions").register(registry);
    broadcastsDelivered = Counter.builder("tidewire.gateway.broadcasts.delivered")
        .description("broadcast frames queued to sessions").register(registry);
    presenceDiffs = Counter.builder("tidewire.gateway.presence.diffs.delivered")
        .description("presence diff frames queued to sessions").register(registry);
    gatewaysExpired = Counter.builder("tidewire.gateway.presence.gateways.expired")
        .description("other gateways whose presences left: lease ran out or ended").register(registry);
    for (final String reason : CHANNEL_REFUSALS) {
      channelRefusals.put(reason, Counter.builder("tidewire.gateway.channel.refusals")
          .description("broadcast/presence requests refused, by rule or limit").tag("reason", reason)
          .register(registry));
    }
    Gauge.builder("tidewire.gateway.presences", presences, p -> p.get().get().doubleValue()).strongReference(true)
        .description("presences of every gateway this gateway knows").register(registry);
    Gauge.builder("tidewire.gateway.channels.joined", channelsJoined, c -> c.get().get().doubleValue())
        .strongReference(true)
        .description("channels with a member on this gateway").register(registry);
    for (final String topic : CHANNEL_TOPICS) {
      recordsReadCounter(topic);
      recordsSkippedCounter(topic);
    }
  }

  /** A broadcast/presence request was refused: one of {@link #CHANNEL_REFUSALS}. */
  public void channelRefused(final String reason) {
    known(channelRefusals, reason, "channel refusal").increment();
  }

  public void broadcastPublished() {
    broadcastsPublished.increment();
  }

  public void broadcastDelivered() {
    broadcastsDelivered.increment();
  }

  public void presenceDiffDelivered() {
    presenceDiffs.increment();
  }

  /** {@code count} other gateways' presences left (lease ran out or ended). */
  public void gatewaysExpired(final int count) {
    gatewaysExpired.increment(count);
  }

  /** Where the gauges of presences and joined channels (registered at zero) read from now on. */
  public void channels(final Supplier<Number> presenceCount, final Supplier<Number> channelCount) {
    presences.set(Objects.requireNonNull(presenceCount, "presenceCount"));
    channelsJoined.set(Objects.requireNonNull(channelCount, "channelCount"));
  }

  /**
   * Where the gauge {@code tidewire.gateway.tail.lag{topic}} of an event topic (registered at
   * zero) reads from now on; other topics are ignored.
   */
  public void tailLag(final String topic, final DoubleSupplier recordsBehind) {
    Objects.requireNonNull(recordsBehind, "recordsBehind");
    final AtomicReference<DoubleSupplier> lag = tailLag.get(topic);
    if (lag != null) {
      lag.set(recordsBehind);
    }
  }

  /** The live tail of {@code topic} reads {@code count} partitions. */
  public void tailPartitions(final String topic, final int count) {
    tailPartitions.computeIfAbsent(topic, t -> new AtomicInteger()).set(count);
  }

  /** The live tail of {@code topic} followed its topic to {@code count} partitions. */
  public void partitionsChanged(final String topic, final int count) {
    tailPartitions(topic, count);
    final Counter changes = partitionChanges.get(topic);
    if (changes != null) {
      changes.increment();
    }
  }

  private void perChannel(final Map<Channel.Kind, Counter> counters, final String name,
      final String description) {
    for (final Channel.Kind kind : Channel.Kind.values()) {
      counters.put(kind, Counter.builder(name).description(description).tag("channel", kind.wire())
          .register(registry));
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
    rejectionCounter(reason).increment();
  }

  private Counter rejectionCounter(final String reason) {
    return rejections.computeIfAbsent(reason, r -> Counter.builder("tidewire.gateway.upgrade.rejections")
        .description("WebSocket upgrades refused with HTTP 401").tag("reason", r).register(registry));
  }

  /** An upgrade refused with 429: one of {@link #REFUSAL_REASONS}. */
  public void connectionRefused(final String reason) {
    known(refusals, reason, "refusal reason").increment();
  }

  /** The counter registered at start for {@code reason}; reasons are a closed list. */
  private static Counter known(final Map<String, Counter> counters, final String reason, final String what) {
    final Counter counter = counters.get(reason);
    if (counter == null) {
      throw new IllegalArgumentException("unknown " + what + " " + reason);
    }
    return counter;
  }

  public void handshakeTimeout() {
    handshakeTimeouts.increment();
  }

  public void pingTimeout() {
    pingTimeouts.increment();
  }

  public void recordRead(final String topic) {
    recordsReadCounter(topic).increment();
  }

  private Counter recordsReadCounter(final String topic) {
    return recordsRead.computeIfAbsent(topic, t -> Counter.builder("tidewire.gateway.records.read")
        .description("records read by the live tails").tag("topic", t).register(registry));
  }

  public void recordSkipped(final String topic) {
    recordsSkippedCounter(topic).increment();
  }

  private Counter recordsSkippedCounter(final String topic) {
    return recordsSkipped.computeIfAbsent(topic, t -> Counter.builder("tidewire.gateway.records.skipped")
        .description("records the live tails could not decode").tag("topic", t).register(registry));
  }

  public void connectionAborted() {
    aborted.increment();
  }

  /** A session closed; {@code bytes} is the most that ever waited in its send queue. */
  public void sessionPeakQueueBytes(final long bytes) {
    peakQueueBytes.record(bytes);
  }

  public void eventReplayed(final Channel.Kind kind) {
    replayed.get(kind).increment();
  }

  public void replayRecordRead() {
    replayRecords.increment();
  }

  /** A replay ended: one of {@link #REPLAY_OUTCOMES}. */
  public void replayFinished(final String outcome) {
    replayFinished(outcome, 1);
  }

  private void replayFinished(final String outcome, final int count) {
    replays.computeIfAbsent(outcome, o -> Counter.builder("tidewire.gateway.replays")
        .description("finished replays by outcome").tag("outcome", o).register(registry))
        .increment(count);
  }

  /** A resume was refused because too many replays are pending. */
  public void frameRateLimited() {
    framesRateLimited.increment();
  }

  public void rateLimitedDisconnect() {
    rateLimitedDisconnects.increment();
  }

  public void cursorTampered() {
    cursorsTampered.increment();
  }

  /** A resume was refused for want of a replay slot of {@code scope}: session, user or gateway. */
  public void replaySlotRefused(final String scope) {
    slotRefused(scope, 1);
  }

  private void slotRefused(final String scope, final double by) {
    slotsRefused.computeIfAbsent(scope, s -> Counter.builder("tidewire.gateway.replay.slots.refused")
        .description("resumes refused for want of a replay slot").tag("scope", s).register(registry))
        .increment(by);
  }

  public void replayRejected() {
    replayFinished("rejected");
  }

  public void replayDuration(final Duration duration) {
    replayDuration.record(duration);
  }

  /** Where the gauge of pending replays (registered at zero) reads from now on. */
  public void replaysPending(final Supplier<Number> pending) {
    replaysPending.set(Objects.requireNonNull(pending, "pending"));
  }

  public void unrecoverable(final ResumePlan.Reason reason) {
    unrecoverable.get(reason).increment();
  }

  public void snapshotSent() {
    snapshots.increment();
  }

  /** Where the gauge of items in the content-access view (registered at zero) reads from now on. */
  public void contentItems(final Supplier<Number> count) {
    contentItems.set(Objects.requireNonNull(count, "count"));
  }

  /** Where the gauge of users in the state store (registered at zero) reads from now on. */
  public void userStates(final Supplier<Number> count) {
    userStates.set(Objects.requireNonNull(count, "count"));
  }
}
