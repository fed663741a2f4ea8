package io.tidewire.gateway.replay;

import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.gateway.session.ReplayRead;
import io.tidewire.gateway.session.ReplayResult;
import io.tidewire.gateway.session.Replays;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays for resuming subscriptions, apart from the live tails: a few worker threads, each with
 * its own {@link PartitionReader} (its own Kafka consumer), take {@link ReplayRead}s from one queue,
 * perform each as a single bounded {@link ReplayStep} (one batch) and hand the result to the
 * session that asked; the session's core asks for the next read, which goes to the end of the
 * queue. So a reconnect storm of many resumes progresses side by side and a long replay cannot
 * starve short ones; a replay whose client's queue is full asks for nothing until the queue
 * drains, and costs no thread meanwhile.
 *
 * <p>At most {@code maxJobs} replays are admitted at a time (from {@link #admit} to
 * {@link #finished}), and at most {@code maxPerUser} of one user, so that one user's connections
 * cannot take every slot; beyond either {@link #admit} refuses and the client is told
 * {@code rate_limited}. Each admitted replay has at most one read out, so memory is bounded by the
 * admitted replays times one batch each.
 *
 * <p>Thread-safe.
 */
public final class ReplayPool implements Replays, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplayPool.class);
  private static final long TAKE_TIMEOUT_MS = 200;

  /** A read and who waits for its result. */
  private record Task(ReplayRead read, Consumer<ReplayResult> done) {}

  private final int workers;
  private final int maxJobs;
  private final int maxPerUser;
  private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();
  private final Supplier<PartitionReader> readers;
  private final GatewayMetrics metrics;
  private final ReplayStep step;
  private final LinkedBlockingQueue<Task> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger admitted = new AtomicInteger();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  /** A pool without a per-user bound (at most {@code maxJobs} of one user). */
  public ReplayPool(final int workers, final int maxJobs, final Supplier<PartitionReader> readers,
      final GatewayMetrics metrics, final CursorCodec cursors) {
    this(workers, maxJobs, maxJobs, readers, metrics, cursors);
  }

  /**
   * @param workers worker threads, each with its own reader
   * @param maxJobs most replays admitted at a time
   * @param maxPerUser most replays of one user admitted at a time
   * @param readers makes one reader per worker
   * @param metrics meters
   * @param cursors writes the replayed events' cursors
   */
  public ReplayPool(final int workers, final int maxJobs, final int maxPerUser,
      final Supplier<PartitionReader> readers, final GatewayMetrics metrics, final CursorCodec cursors) {
    if (workers < 1 || maxJobs < 1 || maxPerUser < 1) {
      throw new IllegalArgumentException("workers, maxJobs and maxPerUser must be positive");
    }
    this.workers = workers;
    this.maxJobs = maxJobs;
    this.maxPerUser = maxPerUser;
    this.readers = readers;
    this.metrics = metrics;
    this.step = new ReplayStep(metrics, cursors);
    metrics.replaysPending(admitted::get);
  }

  /** Creates the readers (so a misconfiguration fails here) and starts the workers. */
  public synchronized void start() {
    if (running || !threads.isEmpty()) {
      throw new IllegalStateException("replay pool already started");
    }
    final List<PartitionReader> made = new ArrayList<>();
    try {
      for (int i = 0; i < workers; i++) {
        made.add(readers.get());
      }
    } catch (RuntimeException e) {
      made.forEach(PartitionReader::close);
      throw e;
    }
    running = true;
    for (int i = 0; i < workers; i++) {
      final PartitionReader reader = made.get(i);
      final Thread thread = new Thread(() -> work(reader), "tidewire-replay-" + (i + 1));
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    LOG.info("Replay pool started: {} workers, at most {} replays at a time", workers, maxJobs);
  }

  /**
   * Refuses when {@code maxPerUser} replays of the user or {@code maxJobs} in all are admitted
   * already, or the pool is stopped.
   */
  @Override
  public boolean admit(final String userId) {
    if (!running) {
      metrics.replayRejected();
      return false;
    }
    final boolean[] taken = new boolean[1];
    perUser.compute(userId, (user, count) -> {
      final int now = count == null ? 0 : count;
      taken[0] = now < maxPerUser;
      return taken[0] ? now + 1 : count;
    });
    if (!taken[0]) {
      metrics.replaySlotRefused("user");
      metrics.replayRejected();
      return false;
    }
    if (admitted.incrementAndGet() > maxJobs) {
      admitted.decrementAndGet();
      release(userId);
      metrics.replaySlotRefused("gateway");
      metrics.replayRejected();
      return false;
    }
    return true;
  }

  /** Replays of {@code userId} admitted now. */
  public int admitted(final String userId) {
    return perUser.getOrDefault(userId, 0);
  }

  @Override
  public void read(final ReplayRead read, final Consumer<ReplayResult> done) {
    if (running) {
      queue.add(new Task(read, done));
    }
  }

  @Override
  public void finished(final String userId, final Outcome outcome, final Duration took) {
    admitted.decrementAndGet();
    release(userId);
    metrics.replayFinished(outcome.wire());
    if (outcome == Outcome.LIVE) {
      metrics.replayDuration(took);
    }
  }

  private void release(final String userId) {
    perUser.computeIfPresent(userId, (user, count) -> count > 1 ? count - 1 : null);
  }

  /** Whether every worker runs. */
  public boolean isAlive() {
    return running && threads.stream().allMatch(Thread::isAlive);
  }

  private void work(final PartitionReader reader) {
    try (reader) {
      while (running) {
        final Task task = queue.poll(TAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (task == null) {
          continue;
        }
        final ReplayResult result = step.perform(task.read(), reader);
        try {
          task.done().accept(result);
        } catch (RuntimeException e) {
          LOG.warn("a session failed to take a replay result", e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.error("Replay worker died", e);
      throw e;
    }
  }

  /** Stops the workers and closes their readers; queued reads are dropped. Idempotent. */
  @Override
  public synchronized void close() {
    running = false;
    for (final Thread thread : threads) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (thread.isAlive()) {
        LOG.warn("{} did not stop within 10 s", thread.getName());
      }
    }
    queue.clear();
  }
}
