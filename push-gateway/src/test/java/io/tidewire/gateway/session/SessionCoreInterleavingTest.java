package io.tidewire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.protocol.Channel.Kind;
import io.tidewire.gateway.protocol.ClientFrame;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import io.tidewire.gateway.protocol.Reply;
import io.tidewire.gateway.protocol.TypeFilter;
import io.tidewire.gateway.recovery.LogRange;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/**
 * Seeded property tests of the session core: a simulated log, live tail, replay worker, send queue
 * and slow reader feed the core its inputs in random interleavings, and every run must deliver
 * each wanted event exactly once, in partition order, with the {@code subscribed} reply first —
 * whatever the split between replay and live, the buffer drops, the parkings and the queue bound.
 */
class SessionCoreInterleavingTest {

  private static final Uuid TOPIC = Uuid.randomUuid();

  /** One run: a log, a cursor, a seam, a queue bound; the core and its simulated surroundings. */
  private static final class Run {
    final Random random;
    final Kind kind;
    final int partitions;
    final Map<Integer, List<Boolean>> log = new HashMap<>(); // per offset: is it a wanted event?
    final Map<Integer, Long> cursor = new HashMap<>();
    final Map<Integer, Long> tail = new HashMap<>(); // the live tail's next offset per partition
    final int queueBound;
    final SessionCore core;
    final SubscriptionId id;
    final ArrayDeque<String> queue = new ArrayDeque<>(); // frames waiting for the client
    final List<String> received = new ArrayList<>(); // what the client read, in order
    final ArrayDeque<Supplier<List<Effect>>> inputs = new ArrayDeque<>();
    ReplayRead pendingRead;
    Effect.AwaitRoom waiter;
    boolean ended;
    int admitted;

    Run(final long seed) {
      random = new Random(seed);
      kind = random.nextBoolean() ? Kind.USER : Kind.FEED;
      partitions = kind == Kind.USER ? 1 : 1 + random.nextInt(3);
      queueBound = 2 + random.nextInt(12);
      for (int p = 0; p < partitions; p++) {
        final List<Boolean> records = new ArrayList<>();
        final int size = 40 + random.nextInt(160);
        for (int o = 0; o < size; o++) {
          // user channel: the other records are other users' in the same partition
          records.add(kind == Kind.FEED || random.nextInt(3) > 0);
        }
        log.put(p, records);
        cursor.put(p, (long) random.nextInt(size + 1));
        tail.put(p, (long) random.nextInt(size + 1)); // behind or ahead of the cursor
      }
      if (random.nextInt(10) == 0) {
        tail.putAll(cursor); // a cursor exactly at the seam
      }
      core = new SessionCore(new Principal("alice", SessionCoreTest.NOW.plusSeconds(3600)),
          new SessionCore.Limits(queueBound, 1_000_000, Duration.ofHours(1), Duration.ZERO));
      id = new SubscriptionId(kind, 1);
    }

    EncodedEvent event(final int partition, final long offset) {
      return EncodedEvent.of(kind == Kind.USER ? Optional.of("alice") : Optional.empty(), "t",
          partition, offset, partition + "@" + offset);
    }

    void run() {
      final Cursor seam = Cursor.of(TOPIC, Cursor.FEED_SCOPE, tail);
      final int scope = kind == Kind.USER ? Cursor.scopeOf("alice") : Cursor.FEED_SCOPE;
      final ClientFrame.Subscribe subscribe = new ClientFrame.Subscribe("s",
          Channel.parse(kind.wire()).orElseThrow(), Optional.of(Cursor.of(TOPIC, scope, cursor)),
          TypeFilter.all());
      apply(core.joined(subscribe, id, seam, 0));
      for (int step = 0; step < 100_000; step++) {
        while (!inputs.isEmpty()) {
          apply(inputs.poll().get());
        }
        if (!act()) {
          return;
        }
      }
      throw new AssertionError("the run did not settle");
    }

    /** One random thing happens; false when nothing can happen any more. */
    boolean act() {
      final List<Runnable> possible = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        final int partition = p;
        if (tail.get(p) < log.get(p).size()) {
          possible.add(() -> dispatch(partition));
        }
      }
      if (!queue.isEmpty()) {
        possible.add(this::read);
      }
      if (pendingRead != null) {
        possible.add(this::work);
      }
      if (possible.isEmpty()) {
        return false;
      }
      possible.get(random.nextInt(possible.size())).run();
      return true;
    }

    /** The live tail dispatches the next record of {@code partition}. */
    void dispatch(final int partition) {
      final long offset = tail.get(partition);
      tail.put(partition, offset + 1);
      if (log.get(partition).get((int) offset)) {
        apply(core.live(kind, event(partition, offset)));
      }
    }

    /** The client reads a few frames; room may wake a parked replay. */
    void read() {
      for (int n = 1 + random.nextInt(3); n > 0 && !queue.isEmpty(); n--) {
        received.add(queue.poll());
      }
      if (waiter != null && room().hasRoom()) {
        final Effect.AwaitRoom woken = waiter;
        waiter = null;
        apply(core.room(woken.id(), woken.token(), room(), 0));
      }
    }

    /** The replay worker performs the read that is out. */
    void work() {
      final ReplayRead read = pendingRead;
      pendingRead = null;
      if (read instanceof ReplayRead.Check check) {
        final Map<Integer, LogRange> bounds = new HashMap<>();
        check.from().offsets().keySet().forEach(p -> bounds.put(p, new LogRange(0, log.get(p).size())));
        apply(core.replayed(new ReplayResult.Checked(read.id(), bounds), room(), 0));
        return;
      }
      final ReplayRead.Batch batch = (ReplayRead.Batch) read;
      final Map<Integer, Long> reach = new HashMap<>();
      final Map<Integer, List<EncodedEvent>> found = new HashMap<>();
      for (final Map.Entry<Integer, Long> from : batch.from().entrySet()) {
        final int p = from.getKey();
        final long to = Math.min(log.get(p).size(), from.getValue() + 1 + random.nextInt(15));
        final List<EncodedEvent> events = new ArrayList<>();
        for (long o = from.getValue(); o < to; o++) {
          if (log.get(p).get((int) o)) {
            events.add(event(p, o));
          }
        }
        reach.put(p, to);
        found.put(p, events);
      }
      // partitions interleave in any order in one read, each in its own order
      final List<EncodedEvent> events = new ArrayList<>();
      while (found.values().stream().anyMatch(l -> !l.isEmpty())) {
        final List<EncodedEvent> next = found.get(random.nextInt(partitions));
        if (next != null && !next.isEmpty()) {
          events.add(next.remove(0));
        }
      }
      apply(core.replayed(new ReplayResult.Read(read.id(), events, reach), room(), 0));
    }

    QueueRoom room() {
      return new QueueRoom(queue.size(), 0, queueBound, 1_000_000, ended);
    }

    void apply(final List<Effect> effects) {
      for (final Effect effect : effects) {
        if (ended) {
          return;
        }
        if (effect instanceof Effect.Send send) {
          offer(send.reply() instanceof Reply.Subscribed ? "subscribed" : send.reply().toString(), false);
        } else if (effect instanceof Effect.Deliver deliver) {
          offer(deliver.event().frame(), deliver.flow() == Effect.Flow.REPLAYED);
        } else if (effect instanceof Effect.StartReplay start) {
          admitted++;
          pendingRead = start.check();
        } else if (effect instanceof Effect.Read read) {
          assertThat(pendingRead).as("one read out at a time").isNull();
          pendingRead = read.read();
        } else if (effect instanceof Effect.EndReplay) {
          admitted--;
        } else if (effect instanceof Effect.AwaitRoom await) {
          assertThat(waiter).as("one parking at a time").isNull();
          if (room().hasRoom()) {
            inputs.add(() -> core.room(await.id(), await.token(), room(), 0)); // at once
          } else {
            waiter = await;
          }
        } else if (effect instanceof Effect.Terminate terminate) {
          assertThat(terminate.code()).as("the only way a run ends").isEqualTo(ErrorCode.SLOW_CONSUMER);
          ended = true; // what it got so far must still be gap-free
        }
      }
    }

    void offer(final String frame, final boolean replayed) {
      if (!queue.isEmpty() && queue.size() >= queueBound) {
        assertThat(replayed).as("replayed events are sized to the queue's room").isFalse();
        final List<Effect> overflow = core.overflowed();
        assertThat(overflow).anyMatch(Effect.Terminate.class::isInstance);
        apply(overflow);
        return;
      }
      queue.add(frame);
    }

    /** What the client must have got: every wanted event from the cursor on, per partition. */
    void check(final long seed) {
      received.addAll(queue);
      assertThat(received).as("seed %d: the reply comes first", seed).first().isEqualTo("subscribed");
      assertThat(received.stream().filter("subscribed"::equals)).hasSize(1);
      for (int p = 0; p < partitions; p++) {
        final String prefix = p + "@";
        final List<String> expected = new ArrayList<>();
        for (long o = cursor.get(p); o < log.get(p).size(); o++) {
          if (log.get(p).get((int) o)) {
            expected.add(prefix + o);
          }
        }
        final List<String> got = received.stream().filter(f -> f.startsWith(prefix)).toList();
        if (ended) {
          assertThat(expected.subList(0, Math.min(got.size(), expected.size())))
              .as("seed %d, partition %d: a slow consumer's events are a gap-free prefix", seed, p)
              .isEqualTo(got);
        } else {
          assertThat(got).as("seed %d, partition %d (cursor %d, seam %s, queue %d)", seed, p,
              cursor.get(p), tail, queueBound).containsExactlyElementsOf(expected);
        }
      }
      if (!ended) {
        assertThat(admitted).as("seed %d: the replay released its admission", seed).isZero();
      }
    }
  }

  @Test
  void everyInterleavingOfReplayLiveAndReadsDeliversEachEventOnceInOrderAfterTheReply() {
    int completed = 0;
    for (long seed = 0; seed < 2_000; seed++) {
      final Run run = new Run(seed);
      run.run();
      run.check(seed);
      completed += run.ended ? 0 : 1;
    }
    assertThat(completed).as("most runs are not cut off as slow consumers").isGreaterThan(1_000);
  }
}
