package io.tidewire.gateway.replay;

import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.session.Subscription;
import io.tidewire.gateway.tail.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays for resuming subscriptions, apart from the live tails: a few worker threads, each with
 * its own {@link PartitionReader} (its own Kafka consumer), take {@link ReplayJob}s from one queue
 * and give each a single bounded step (one batch) before putting it back at the end, so a
 * reconnect storm of many resumes progresses side by side and a long replay cannot starve short
 * ones. A job whose session's queue is full parks until the queue drains, or is cut off as a slow
 * consumer after the stall timeout.
 *
 * <p>At most {@code maxJobs} replays are admitted at a time (queued, running or parked); beyond
 * that {@link #submit} refuses and the client is told {@code rate_limited}. Memory is bounded by
 * the admitted jobs times one batch each.
 *
 * <p>Thread-safe.
 */
public final class ReplayPool implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplayPool.class);
  private static final long TAKE_TIMEOUT_MS = 200;

  private final int workers;
  private final int maxJobs;
  private final Supplier<PartitionReader> readers;
  private final ScheduledExecutorService timer;
  private final Duration stallTimeout;
  private final GatewayMetrics metrics;
  private final EventCodec<?> userCodec = EventCodec.userEvents();
  private final EventCodec<?> feedCodec = EventCodec.feedEvents();
  private final LinkedBlockingQueue<ReplayJob> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger admitted = new AtomicInteger();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  /**
   * @param workers worker threads, each with its own reader
   * @param maxJobs most replays admitted at a time
   * @param readers makes one reader per worker
   * @param timer runs stall deadlines
   * @param stallTimeout how long a replay may wait for the client's queue or make no progress
   * @param metrics meters
   */
  public ReplayPool(final int workers, final int maxJobs, final Supplier<PartitionReader> readers,
      final ScheduledExecutorService timer, final Duration stallTimeout, final GatewayMetrics metrics) {
    if (workers < 1 || maxJobs < 1) {
      throw new IllegalArgumentException("workers and maxJobs must be positive");
    }
    this.workers = workers;
    this.maxJobs = maxJobs;
    this.readers = readers;
    this.timer = timer;
    this.stallTimeout = stallTimeout;
    this.metrics = metrics;
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
   * Admits a replay for {@code subscription}, which must have a requested cursor.
   *
   * @return false if {@code maxJobs} replays are admitted already (or the pool is stopped)
   */
  public boolean submit(final Subscription subscription) {
    if (!running) {
      return false;
    }
    if (admitted.incrementAndGet() > maxJobs) {
      admitted.decrementAndGet();
      return false;
    }
    final EventCodec<?> codec =
        subscription.channel().kind() == Channel.Kind.USER ? userCodec : feedCodec;
    queue.add(new ReplayJob(subscription, codec, metrics, System::nanoTime, stallTimeout));
    return true;
  }

  /** Whether every worker runs. */
  public boolean isAlive() {
    return running && threads.stream().allMatch(Thread::isAlive);
  }

  private void work(final PartitionReader reader) {
    try (reader) {
      while (running) {
        final ReplayJob job = queue.poll(TAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (job != null) {
          dispatch(job, reader);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.error("Replay worker died", e);
      throw e;
    }
  }

  private void dispatch(final ReplayJob job, final PartitionReader reader) {
    ReplayJob.Outcome outcome;
    try {
      outcome = job.step(reader);
    } catch (RuntimeException e) {
      LOG.warn("replay step failed unexpectedly", e);
      outcome = job.fail("internal error during the replay");
    }
    switch (outcome) {
      case CONTINUE:
        queue.add(job);
        break;
      case PARK:
        park(job);
        break;
      default:
        admitted.decrementAndGet();
    }
  }

  private void park(final ReplayJob job) {
    final long token = job.park();
    final ScheduledFuture<?> deadline;
    try {
      deadline = timer.schedule(() -> {
        if (job.unpark(token)) {
          job.stalled();
          admitted.decrementAndGet();
        }
      }, stallTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      admitted.decrementAndGet(); // stopping: the job is dropped with its session
      return;
    }
    job.subscription().whenRoom(() -> {
      if (job.unpark(token)) {
        deadline.cancel(false);
        queue.add(job);
      }
    });
  }

  /** Stops the workers and closes their readers; queued replays are dropped. Idempotent. */
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
