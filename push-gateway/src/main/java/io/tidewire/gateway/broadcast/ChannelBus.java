package io.tidewire.gateway.broadcast;

import io.tidewire.gateway.GatewayException;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.presence.Presence;
import io.tidewire.gateway.presence.PresenceTracker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Broadcast and presence across gateways, through Kafka only ({@link ChannelRecords} are the
 * records):
 *
 * <ul>
 *   <li>a broadcast is written to {@code realtime.broadcast} (key = channel); every gateway tails
 *       that topic from its end (as of its start) and hands each message to the members of its
 *       channel ({@link ChannelHub#deliver}) — the sender's gateway included, so every member sees
 *       the channel's messages in the same order;
 *   <li>a presence is written to the compacted {@code realtime.presence} (a tombstone when it
 *       leaves); every gateway reads that topic from its beginning, so it starts with the current
 *       presences, and applies every record to its {@link PresenceTracker} (through the hub, which
 *       hands the diffs to the channel's members) — its own presences too, so every gateway's view
 *       is built from the same log;
 *   <li>this gateway renews its lease there every {@code renew}; every {@code expiryCheck} it
 *       removes the presences of gateways whose lease ran out and writes tombstones for them (any
 *       gateway may; they are idempotent), so the topic does not keep a crashed gateway's
 *       presences. A tombstone for one of this gateway's own live presences (or its lease) — it was
 *       taken for dead, say after a long pause — is answered by writing it again;
 *   <li>{@link #close} removes this gateway's presences and ends its lease: a clean stop's
 *       presences leave at once.
 * </ul>
 *
 * <p>Writes go through one sending thread in the order they were asked for (a tombstone of a
 * replaced presence before its successor); the two tails each have their thread; the lease and
 * expiry run on a timer thread.
 *
 * <p>Thread-safe.
 */
public final class ChannelBus extends HubChannels implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChannelBus.class);
  private static final Duration POLL = Duration.ofMillis(200);

  /**
   * The bus's parameters.
   *
   * @param broadcastTopic name of {@code realtime.broadcast}
   * @param presenceTopic name of {@code realtime.presence}
   * @param rules who may join which channel
   * @param limits the limits
   * @param lease how long a gateway's presences outlive its last renewal
   * @param renew how often this gateway renews its lease
   * @param loadTimeout how long {@link #start} may take to read the presence topic
   */
  public record Settings(String broadcastTopic, String presenceTopic, ChannelRules rules,
      ChannelLimits limits, Duration lease, Duration renew, Duration loadTimeout) {
    public Settings {
      Objects.requireNonNull(broadcastTopic, "broadcastTopic");
      Objects.requireNonNull(presenceTopic, "presenceTopic");
      Objects.requireNonNull(rules, "rules");
      Objects.requireNonNull(limits, "limits");
      Objects.requireNonNull(lease, "lease");
      Objects.requireNonNull(renew, "renew");
      Objects.requireNonNull(loadTimeout, "loadTimeout");
      if (renew.compareTo(lease) >= 0) {
        throw new IllegalArgumentException("the lease must be renewed more often than it lasts");
      }
    }

    /** How often expired leases are looked for: a tenth of the lease, at most a second. */
    Duration expiryCheck() {
      final Duration tenth = lease.dividedBy(10);
      return tenth.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : tenth;
    }
  }

  private final Settings settings;
  private final String gatewayId;
  private final Producer<String, byte[]> producer;
  private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> broadcasts;
  private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> presences;
  private final GatewayMetrics metrics;
  /** This gateway's presences by record key: what it wrote and has not removed. */
  private final Map<String, Presence> own = new ConcurrentHashMap<>();
  private final ExecutorService sends;
  private final ScheduledExecutorService timer;
  private final CountDownLatch loaded = new CountDownLatch(1);
  private final Thread broadcastTail;
  private final Thread presenceTail;
  private volatile boolean running;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Where the presence topic ended at start: read up to here, the view is complete. */
  private volatile Map<TopicPartition, Long> presenceTailEnds = Map.of();

  /**
   * @param settings the parameters
   * @param producer writes both topics; the bus owns it
   * @param broadcasts a consumer for the broadcast topic (no group); the bus owns it
   * @param presences a consumer for the presence topic (no group); the bus owns it
   * @param metrics meters
   */
  public ChannelBus(final Settings settings, final Producer<String, byte[]> producer,
      final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> broadcasts,
      final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> presences,
      final GatewayMetrics metrics) {
    super(settings.rules(), settings.limits(), settings.lease());
    this.settings = settings;
    this.gatewayId = gatewayId();
    this.producer = Objects.requireNonNull(producer, "producer");
    this.broadcasts = Objects.requireNonNull(broadcasts, "broadcasts");
    this.presences = Objects.requireNonNull(presences, "presences");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.sends = Executors.newSingleThreadExecutor(daemon("tidewire-gateway-channel-send"));
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("tidewire-gateway-presence-lease"));
    this.broadcastTail = daemon("tidewire-gateway-tail-" + settings.broadcastTopic())
        .newThread(this::tailBroadcasts);
    this.presenceTail = daemon("tidewire-gateway-tail-" + settings.presenceTopic())
        .newThread(this::tailPresences);
  }

  /**
   * Positions the broadcast tail at the topic's end, renews the lease, reads the presence topic up
   * to its end, then starts renewing and expiring.
   *
   * @throws GatewayException if the presence topic could not be read in time
   */
  public void start() {
    running = true;
    assignAll(broadcasts, settings.broadcastTopic());
    broadcasts.seekToEnd(broadcasts.assignment());
    broadcasts.assignment().forEach(broadcasts::position); // fixes "the end" as of now
    final List<TopicPartition> presenceParts = assignAll(presences, settings.presenceTopic());
    presences.seekToBeginning(presenceParts);
    final Map<TopicPartition, Long> ends = presences.endOffsets(presenceParts);
    renew();
    broadcastTail.start();
    presenceTail.setUncaughtExceptionHandler((t, e) -> LOG.error("presence tail failed", e));
    presenceTailEnds = ends;
    presenceTail.start();
    try {
      if (!loaded.await(settings.loadTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw new GatewayException("could not read " + settings.presenceTopic() + " within "
            + settings.loadTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GatewayException("interrupted while reading " + settings.presenceTopic(), e);
    }
    final long renewMs = settings.renew().toMillis();
    timer.scheduleAtFixedRate(this::renew, renewMs, renewMs, TimeUnit.MILLISECONDS);
    final long checkMs = settings.expiryCheck().toMillis();
    timer.scheduleWithFixedDelay(this::expire, checkMs, checkMs, TimeUnit.MILLISECONDS);
    metrics.channels(hub::presences, hub::channels);
    LOG.info("Broadcast and presence ready: gateway {}, {} presences known", gatewayId, hub.presences());
  }

  /** Whether both tails run. */
  public boolean isAlive() {
    return running && broadcastTail.isAlive() && presenceTail.isAlive();
  }

  // ---------------------------------------------------------------- Channels

  @Override
  public void publish(final BroadcastMessage message, final Runnable stored,
      final Consumer<Exception> failed) {
    send(settings.broadcastTopic(), message.channel(), ChannelRecords.broadcast(message), (md, e) -> {
      if (e == null) {
        metrics.broadcastPublished();
        stored.run();
      } else {
        failed.accept(e);
      }
    }, failed);
  }

  @Override
  public void track(final Presence presence, final Optional<Presence> replaced,
      final Consumer<TrackOutcome> done) {
    if (!hub.admits(presence, settings.limits().maxKeysPerChannel())) {
      done.accept(TrackOutcome.TOO_MANY_PRESENCES);
      return;
    }
    replaced.ifPresent(this::removeOwn);
    final String key = ChannelRecords.presenceKey(presence);
    own.put(key, presence);
    send(settings.presenceTopic(), key, ChannelRecords.presence(presence), (md, e) -> {
      if (e != null) {
        own.remove(key, presence);
      }
      done.accept(e == null ? TrackOutcome.STORED : TrackOutcome.FAILED);
    }, e -> done.accept(TrackOutcome.FAILED));
  }

  @Override
  public void untrack(final Presence presence, final Runnable stored, final Consumer<Exception> failed) {
    final String key = ChannelRecords.presenceKey(presence);
    own.remove(key);
    send(settings.presenceTopic(), key, null, (md, e) -> {
      if (e == null) {
        stored.run();
      } else {
        failed.accept(e);
      }
    }, failed);
  }

  private void removeOwn(final Presence presence) {
    final String key = ChannelRecords.presenceKey(presence);
    own.remove(key);
    send(settings.presenceTopic(), key, null, (md, e) -> { }, e -> { });
  }

  // ---------------------------------------------------------------- Kafka

  private void send(final String topic, final String key, final byte[] value, final Callback callback,
      final Consumer<Exception> refused) {
    try {
      sends.execute(() -> {
        try {
          producer.send(new ProducerRecord<>(topic, key, value), callback);
        } catch (RuntimeException e) {
          LOG.warn("cannot write to {}: {}", topic, e.toString());
          refused.accept(e);
        }
      });
    } catch (RejectedExecutionException e) {
      refused.accept(e);
    }
  }

  private void renew() {
    send(settings.presenceTopic(), ChannelRecords.leaseKey(gatewayId),
        ChannelRecords.lease(gatewayId, settings.lease().toMillis()), (md, e) -> {
          if (e != null) {
            LOG.warn("could not renew the presence lease of gateway {}: {}", gatewayId, e.toString());
          }
        }, e -> { });
  }

  private void expire() {
    try {
      cleanUp(hub.expire(System.nanoTime(), System.currentTimeMillis()));
    } catch (RuntimeException e) {
      LOG.error("presence expiry failed", e);
    }
  }

  /** Writes tombstones for what the gateways that left still have in the topic. */
  private void cleanUp(final PresenceTracker.Expired expired) {
    if (expired.gateways().isEmpty()) {
      return;
    }
    metrics.gatewaysExpired(expired.gateways().size());
    LOG.info("Gateways {} left: {} presences removed", expired.gateways(), expired.removed().size());
    for (final Presence presence : expired.removed()) {
      send(settings.presenceTopic(), ChannelRecords.presenceKey(presence), null, (md, e) -> { }, e -> { });
    }
    for (final String gateway : expired.gateways()) {
      send(settings.presenceTopic(), ChannelRecords.leaseKey(gateway), null, (md, e) -> { }, e -> { });
    }
  }

  private void tailBroadcasts() {
    try {
      while (running) {
        final ConsumerRecords<byte[], byte[]> records = broadcasts.poll(POLL);
        for (final ConsumerRecord<byte[], byte[]> record : records) {
          metrics.recordRead(settings.broadcastTopic());
          final Optional<BroadcastMessage> message =
              record.value() == null ? Optional.empty() : ChannelRecords.broadcast(record.value());
          if (message.isEmpty()) {
            metrics.recordSkipped(settings.broadcastTopic());
            continue;
          }
          hub.deliver(message.get());
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("the tail of {} failed", settings.broadcastTopic(), e);
    }
  }

  private void tailPresences() {
    try {
      while (running) {
        final ConsumerRecords<byte[], byte[]> records = presences.poll(POLL);
        for (final ConsumerRecord<byte[], byte[]> record : records) {
          metrics.recordRead(settings.presenceTopic());
          applyPresence(record);
        }
        if (loaded.getCount() > 0 && caughtUp()) {
          hub.loaded();
          cleanUp(hub.expire(System.nanoTime(), System.currentTimeMillis()));
          loaded.countDown();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("the tail of {} failed", settings.presenceTopic(), e);
    }
  }

  private boolean caughtUp() {
    for (final Map.Entry<TopicPartition, Long> end : presenceTailEnds.entrySet()) {
      if (presences.position(end.getKey()) < end.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void applyPresence(final ConsumerRecord<byte[], byte[]> record) {
    final String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    final Optional<ChannelRecords.PresenceKey> decoded = ChannelRecords.presenceKey(key);
    if (decoded.isEmpty()) {
      metrics.recordSkipped(settings.presenceTopic());
      return;
    }
    final long now = System.nanoTime();
    final long wall = System.currentTimeMillis();
    if (decoded.get() instanceof ChannelRecords.LeaseOf lease) {
      if (record.value() != null) {
        hub.lease(lease.gateway(), record.timestamp(), wall, now);
      } else if (lease.gateway().equals(gatewayId)) {
        if (running) {
          renew(); // taken for dead by another gateway, yet alive
        }
      } else {
        cleanUp(hub.leaseEnded(lease.gateway(), wall));
      }
      return;
    }
    final ChannelRecords.PresenceOf of = (ChannelRecords.PresenceOf) decoded.get();
    if (record.value() == null) {
      hub.remove(of.channel(), of.gateway(), of.ref());
      final Presence mine = own.get(key);
      if (mine != null && running) {
        // Removed by another gateway that took this one for dead: it is still tracked here.
        send(settings.presenceTopic(), key, ChannelRecords.presence(mine), (md, e) -> { }, e -> { });
      }
      return;
    }
    final Optional<Presence> presence = ChannelRecords.presence(record.value());
    if (presence.isEmpty() || !presence.get().ref().equals(of.ref())
        || !presence.get().gateway().equals(of.gateway()) || !presence.get().channel().equals(of.channel())) {
      metrics.recordSkipped(settings.presenceTopic());
      return;
    }
    hub.put(presence.get(), record.timestamp(), now);
  }

  private static List<TopicPartition> assignAll(
      final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, final String topic) {
    final List<PartitionInfo> infos = consumer.partitionsFor(topic);
    if (infos == null || infos.isEmpty()) {
      throw new GatewayException("topic " + topic + " has no partitions");
    }
    final List<TopicPartition> partitions =
        infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    consumer.assign(partitions);
    return partitions;
  }

  /**
   * Removes this gateway's presences and ends its lease (waiting up to a few seconds for Kafka),
   * then stops the tails. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    timer.shutdownNow();
    if (running) {
      final Map<String, Presence> left = new HashMap<>(own);
      own.clear();
      left.keySet().forEach(key -> send(settings.presenceTopic(), key, null, (md, e) -> { }, e -> { }));
      send(settings.presenceTopic(), ChannelRecords.leaseKey(gatewayId), null, (md, e) -> { }, e -> { });
    }
    running = false;
    sends.shutdown();
    try {
      if (sends.awaitTermination(5, TimeUnit.SECONDS)) {
        producer.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!broadcastTail.isAlive() && !presenceTail.isAlive()) {
      closeQuietly(broadcasts);
      closeQuietly(presences);
      producer.close(Duration.ofSeconds(5));
      return;
    }
    broadcasts.wakeup();
    presences.wakeup();
    join(broadcastTail);
    join(presenceTail);
    closeQuietly(broadcasts);
    closeQuietly(presences);
    producer.close(Duration.ofSeconds(5));
  }

  private static void join(final Thread thread) {
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(final AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.debug("closing: {}", e.toString());
    }
  }

  private static ThreadFactory daemon(final String name) {
    return runnable -> {
      final Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
