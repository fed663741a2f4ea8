package io.tidewire.bench.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** What both {@link Fleet}s do alike: opening with bounded concurrency, counting CPU. */
final class Fleets {

  /** Starts one connection; it calls exactly one of the two callbacks. */
  @FunctionalInterface
  interface Connector {
    void connect(Fleet.Subscription subscription, Runnable subscribed, Consumer<Throwable> failed);
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private Fleets() {}

  /** {@link Fleet#open}, with {@code connector} starting each connection. */
  static void open(final List<Fleet.Subscription> subscriptions, final int concurrency,
      final Duration timeout, final Connector connector) throws InterruptedException {
    final CountDownLatch subscribed = new CountDownLatch(subscriptions.size());
    final Semaphore inFlight = new Semaphore(concurrency);
    final AtomicInteger failures = new AtomicInteger();
    final List<String> errors = new ArrayList<>();
    final long deadline = System.nanoTime() + timeout.toNanos();
    for (final Fleet.Subscription s : subscriptions) {
      if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        break;
      }
      connector.connect(s, () -> {
        inFlight.release();
        subscribed.countDown();
      }, error -> {
        failures.incrementAndGet();
        synchronized (errors) {
          if (errors.size() < 3) {
            errors.add(error.toString());
          }
        }
        inFlight.release();
      });
    }
    if (!subscribed.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      synchronized (errors) {
        throw new IllegalStateException((subscriptions.size() - subscribed.getCount()) + " of "
            + subscriptions.size() + " connections subscribed within " + timeout + "; "
            + failures.get() + " failed to connect " + errors);
      }
    }
  }

  /** CPU time used so far by {@code threads}. */
  static long cpuNanos(final Stream<Thread> threads) {
    return threads.mapToLong(t -> Math.max(0, THREADS.getThreadCpuTime(t.getId()))).sum();
  }
}
