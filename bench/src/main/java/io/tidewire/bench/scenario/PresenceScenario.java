package io.tidewire.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidewire.bench.BenchStack;
import io.tidewire.bench.Scenario;
import io.tidewire.bench.ScenarioResult;
import io.tidewire.bench.Sizes;
import io.tidewire.bench.load.ChannelSocket;
import io.tidewire.bench.stats.LatencyRecorder;
import io.tidewire.bench.stats.LatencySummary;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Broadcast and presence across two gateways (issue #15): the time from a broadcast sent on
 * gateway A to its receipt on gateway B, and from a {@code track} on A to the
 * {@code presence_diff} on B. Both go through Kafka ({@code realtime.broadcast},
 * {@code realtime.presence}); the gateways share nothing else.
 */
public final class PresenceScenario implements Scenario {

  private static final Logger LOG = LoggerFactory.getLogger(PresenceScenario.class);
  /** Below the default per-connection broadcast rate (10/s). */
  private static final int BROADCASTS_PER_SECOND = 5;
  /** Tracks per second, each by a fresh connection (one track each: no track budget is hit). */
  private static final int TRACKS_PER_SECOND = 2;
  private static final int WARMUP = 5;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Override
  public String name() {
    return "presence";
  }

  @Override
  public String description() {
    return "broadcast latency across two gateways; track → presence_diff on the other gateway";
  }

  @Override
  public Set<BenchStack.Part> parts() {
    return EnumSet.of(BenchStack.Part.GATEWAY);
  }

  @Override
  public ScenarioResult run(final BenchStack stack, final Sizes sizes) throws Exception {
    final long seconds = Math.max(2, sizes.latencyDuration().toSeconds());
    final int broadcasts = (int) (seconds * BROADCASTS_PER_SECOND);
    final int tracks = (int) Math.max(3, seconds * TRACKS_PER_SECOND);
    final ScenarioResult.Builder result = ScenarioResult.builder(name(),
        "broadcast and presence across two gateways")
        .method("Two gateways (child JVMs, default settings) share only Kafka. On gateway A a "
            + "sender joins `room:bench-…` with `ack`; on gateway B a receiver joins the same "
            + "channel. *broadcast A → B*: the sender sends " + broadcasts + " broadcasts at "
            + BROADCASTS_PER_SECOND + "/s (after " + WARMUP + " unreported ones), each "
            + "`{\"i\":n}`; latency from the moment it was scheduled (and, *raw*, from the send) "
            + "to the receiver's listener getting the `broadcast` frame, both in this JVM's "
            + "clock. *track A → diff on B*: " + tracks + " fresh connections on A, one after "
            + "another at " + TRACKS_PER_SECOND + "/s, each join the channel and send `track`; "
            + "latency from the `track` to the receiver's `presence_diff` naming that user. Bare "
            + "JDK WebSockets, no client library.")
        .setting("broadcasts/s", BROADCASTS_PER_SECOND)
        .setting("tracks/s", TRACKS_PER_SECOND)
        .columns("path", "samples", "p50 ms", "p95 ms", "p99 ms", "max ms", "raw p50 ms", "raw p99 ms");
    try (BenchStack.OtherGateway b = stack.startAnotherGateway()) {
      final String room = "room:bench-" + UUID.randomUUID().toString().substring(0, 8);
      try (ChannelSocket sender = socket(stack, stack.gateway(), UUID.randomUUID());
          ChannelSocket receiver = socket(stack, b.endpoint(), UUID.randomUUID())) {
        join(receiver, room, false);
        join(sender, room, true);
        final LatencyRecorder broadcast = broadcasts(sender, receiver, room, broadcasts);
        row(result, "broadcast A → B", broadcast);
        final LatencyRecorder track = tracks(stack, receiver, room, tracks);
        row(result, "track A → diff on B", track);
      }
    }
    return result.build();
  }

  private static ChannelSocket socket(final BenchStack stack, final URI endpoint, final UUID user) {
    return ChannelSocket.open(endpoint, stack.token(user.toString()));
  }

  private static void join(final ChannelSocket socket, final String room, final boolean ack)
      throws Exception {
    final String ref = "j" + System.nanoTime();
    socket.send("{\"op\":\"join\",\"ref\":\"" + ref + "\",\"channel\":\"" + room + "\",\"ack\":" + ack + "}");
    final JsonNode reply = socket.await(f -> ref.equals(f.path("ref").textValue()), WAIT).frame();
    if (!"joined".equals(reply.path("op").textValue())) {
      throw new IllegalStateException("join refused: " + reply);
    }
  }

  private static LatencyRecorder broadcasts(final ChannelSocket sender, final ChannelSocket receiver,
      final String room, final int count) throws Exception {
    final LatencyRecorder recorder = new LatencyRecorder();
    final long period = TimeUnit.SECONDS.toNanos(1) / BROADCASTS_PER_SECOND;
    final long start = System.nanoTime();
    final List<long[]> sent = new ArrayList<>(); // {scheduled, sent}
    for (int i = 0; i < WARMUP + count; i++) {
      final long scheduled = start + i * period;
      LockSupport.parkNanos(scheduled - System.nanoTime());
      sender.send("{\"op\":\"broadcast\",\"ref\":\"b" + i + "\",\"channel\":\"" + room
          + "\",\"event\":\"bench\",\"payload\":{\"i\":" + i + "}}");
      sent.add(new long[] {scheduled, System.nanoTime()});
    }
    for (int i = WARMUP; i < WARMUP + count; i++) {
      final int n = i;
      final ChannelSocket.Received got = receiver.await(f -> "broadcast".equals(f.path("op").textValue())
          && f.path("payload").path("i").asInt(-1) == n, WAIT);
      recorder.record(sent.get(i)[0], sent.get(i)[1], got.nanos());
    }
    final String lastRef = "b" + (WARMUP + count - 1);
    final JsonNode answer = sender.await(f -> lastRef.equals(f.path("ref").textValue()), WAIT).frame();
    LOG.info("[presence] {} broadcasts received on B; the last one answered {}", count, answer.path("op").textValue());
    return recorder;
  }

  private static LatencyRecorder tracks(final BenchStack stack, final ChannelSocket receiver,
      final String room, final int count) throws Exception {
    final LatencyRecorder recorder = new LatencyRecorder();
    final long period = TimeUnit.SECONDS.toNanos(1) / TRACKS_PER_SECOND;
    final List<ChannelSocket> trackers = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        final UUID user = UUID.randomUUID();
        final ChannelSocket tracker = socket(stack, stack.gateway(), user);
        trackers.add(tracker);
        join(tracker, room, false);
        final long scheduled = System.nanoTime();
        tracker.send("{\"op\":\"track\",\"ref\":\"t\",\"channel\":\"" + room + "\",\"meta\":{\"i\":" + i + "}}");
        final long sentAt = System.nanoTime();
        final ChannelSocket.Received diff = receiver.await(f -> "presence_diff".equals(f.path("op").textValue())
            && f.path("joins").has(user.toString()), WAIT);
        recorder.record(scheduled, sentAt, diff.nanos());
        LockSupport.parkNanos(scheduled + period - System.nanoTime());
      }
    } finally {
      trackers.forEach(ChannelSocket::close);
    }
    return recorder;
  }

  private static void row(final ScenarioResult.Builder result, final String path, final LatencyRecorder recorder) {
    final LatencySummary corrected = recorder.corrected();
    final LatencySummary raw = recorder.raw();
    LOG.info("[presence] {}: {}", path, corrected);
    result.row(path, corrected.count(), corrected.p50(), corrected.p95(), corrected.p99(), corrected.max(),
        raw.p50(), raw.p99());
  }
}
