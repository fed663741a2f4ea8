package io.tidewire.client;

import java.time.Duration;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one client's tasks one at a time, in submission order, on a (possibly shared) scheduler:
 * the client's state is confined to whichever thread drains it, so it needs no locks, and the
 * application's listeners are never called concurrently. Many clients can share one scheduler.
 *
 * <p>Thread-safe.
 */
final class SerialExecutor {

  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
  /** Tasks run per turn before yielding the scheduler thread to other clients sharing it. */
  private static final int BATCH = 64;

  private final ScheduledExecutorService scheduler;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile Thread drainer;

  SerialExecutor(final ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  /** Queues {@code task}; false if the scheduler no longer accepts work (then it never runs). */
  boolean execute(final Runnable task) {
    queue.add(task);
    return schedule();
  }

  /** Queues {@code task} after {@code delay}; empty if the scheduler no longer accepts work. */
  Optional<ScheduledFuture<?>> schedule(final Runnable task, final Duration delay) {
    try {
      return Optional.of(
          scheduler.schedule(() -> execute(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException e) {
      return Optional.empty();
    }
  }

  /** Queues {@code task} every {@code period}, first after one period; empty if no longer accepting work. */
  Optional<ScheduledFuture<?>> scheduleRepeating(final Runnable task, final Duration period) {
    try {
      final long nanos = period.toNanos();
      return Optional.of(scheduler.scheduleWithFixedDelay(() -> execute(task), nanos, nanos, TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException e) {
      return Optional.empty();
    }
  }

  /** Whether the calling thread is running one of this executor's tasks now. */
  boolean inExecutor() {
    return drainer == Thread.currentThread();
  }

  private boolean schedule() {
    if (!scheduled.compareAndSet(false, true)) {
      return true;
    }
    try {
      scheduler.execute(this::drain);
      return true;
    } catch (RejectedExecutionException e) {
      scheduled.set(false);
      queue.clear();
      return false;
    }
  }

  private void drain() {
    drainer = Thread.currentThread();
    try {
      for (int i = 0; i < BATCH; i++) {
        final Runnable task = queue.poll();
        if (task == null) {
          break;
        }
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.error("Tidewire client task failed", e);
        }
      }
    } finally {
      drainer = null;
      scheduled.set(false);
    }
    if (!queue.isEmpty()) {
      schedule();
    }
  }
}
