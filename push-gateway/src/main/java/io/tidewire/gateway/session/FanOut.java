package io.tidewire.gateway.session;

import io.tidewire.gateway.protocol.Channel.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Spliterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands one event of a shared stream to its subscribers on several threads: the tail's own thread
 * takes one part of the subscribers and {@code threads - 1} lane threads the others, and the tail
 * waits until every part is done before it dispatches its next record. A delivery costs a session
 * its queue's bookkeeping and, for a session that keeps up, a socket write; one thread did them all,
 * so a broadcast to 10,000 sessions used one core however many the gateway had.
 *
 * <p>Order and the seam hold as on one thread: a session gets the records in the order the tail
 * dispatches them because the tail waits for each record's parts, and a subscription that joins at
 * the seam sees every record after its position because no part of a record outlives it.
 * Subscribers are split as {@link java.util.concurrent.ConcurrentHashMap}'s spliterator splits
 * them (by bins, weakly consistent, as iterating them on one thread was). Below
 * {@link #PARALLEL_FROM} subscribers, or with one thread, it all runs on the calling thread.
 *
 * <p>Thread-safe; several tails may share one.
 */
public final class FanOut implements AutoCloseable {

  /** Fewer subscribers than this are delivered to on the calling thread alone. */
  static final int PARALLEL_FROM = 512;

  private static final Logger LOG = LoggerFactory.getLogger(FanOut.class);

  private final int threads;
  private final ExecutorService lanes;

  private FanOut(final int threads) {
    this.threads = threads;
    this.lanes = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, laneThreads());
  }

  /** Everything on the calling thread (the tail's). */
  public static FanOut onCallingThread() {
    return new FanOut(1);
  }

  /** The calling thread and {@code threads - 1} lane threads. */
  public static FanOut onThreads(final int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    return new FanOut(threads);
  }

  /** How many threads deliver one event, the calling one included. */
  public int threads() {
    return threads;
  }

  /**
   * Delivers {@code event} to every subscriber in {@code subscribers} (a live key set of a
   * concurrent map) and returns how many took it, once all have been handed it.
   */
  int deliver(final Set<Subscriber> subscribers, final Kind kind, final EncodedEvent event) {
    if (lanes == null || subscribers.size() < PARALLEL_FROM) {
      return deliver(subscribers.spliterator(), kind, event);
    }
    final List<Spliterator<Subscriber>> parts = split(subscribers.spliterator());
    final CountDownLatch done = new CountDownLatch(parts.size() - 1);
    final AtomicInteger delivered = new AtomicInteger();
    for (final Spliterator<Subscriber> part : parts.subList(1, parts.size())) {
      final Runnable lane = () -> {
        try {
          delivered.addAndGet(deliver(part, kind, event));
        } catch (RuntimeException e) {
          LOG.warn("A fan-out lane failed to deliver an event of {}", kind.wire(), e);
        } finally {
          done.countDown();
        }
      };
      try {
        lanes.execute(lane);
      } catch (RejectedExecutionException e) { // closing: deliver here
        lane.run();
      }
    }
    final int mine = deliver(parts.get(0), kind, event);
    awaitUninterruptibly(done);
    return mine + delivered.get();
  }

  private List<Spliterator<Subscriber>> split(final Spliterator<Subscriber> all) {
    final List<Spliterator<Subscriber>> parts = new ArrayList<>(threads);
    parts.add(all);
    // halve the largest part until there are enough (a bin-based split: roughly even)
    while (parts.size() < threads) {
      int largest = 0;
      for (int i = 1; i < parts.size(); i++) {
        if (parts.get(i).estimateSize() > parts.get(largest).estimateSize()) {
          largest = i;
        }
      }
      final Spliterator<Subscriber> half = parts.get(largest).trySplit();
      if (half == null) {
        break;
      }
      parts.add(half);
    }
    return parts;
  }

  private static int deliver(final Spliterator<Subscriber> part, final Kind kind, final EncodedEvent event) {
    final int[] delivered = {0};
    part.forEachRemaining(subscriber -> {
      if (subscriber.deliver(kind, event)) {
        delivered[0]++;
      }
    });
    return delivered[0];
  }

  private static void awaitUninterruptibly(final CountDownLatch done) {
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the lanes finish their part whatever happens; keep the flag
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory laneThreads() {
    final AtomicInteger next = new AtomicInteger();
    return runnable -> {
      final Thread thread = new Thread(runnable, "tidewire-fanout-" + next.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Stops the lane threads; a delivery after this runs on the calling thread. */
  @Override
  public void close() {
    if (lanes != null) {
      lanes.shutdown();
    }
  }
}
