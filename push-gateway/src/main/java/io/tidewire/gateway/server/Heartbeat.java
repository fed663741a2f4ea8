package io.tidewire.gateway.server;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One session's server pings: every interval a WebSocket ping, and after {@code maxMissed} pings in
 * a row without a pong the session is given up ({@code timedOut} runs once). Any pong, solicited
 * or not, resets the count, so a client that answers pings stays however quiet it is.
 *
 * <p>Thread-safe; {@code ping} and {@code timedOut} run outside its lock.
 */
final class Heartbeat {

  private final int maxMissed;
  private final BooleanSupplier ping;
  private final Runnable timedOut;
  private int missed;
  private boolean stopped;
  private ScheduledFuture<?> task;

  /**
   * @param ping sends a ping; false if the session is closing (the heartbeat then stops)
   * @param timedOut closes the session
   */
  Heartbeat(final int maxMissed, final BooleanSupplier ping, final Runnable timedOut) {
    this.maxMissed = maxMissed;
    this.ping = ping;
    this.timedOut = timedOut;
  }

  /** Ticks every {@code interval} on {@code timer} until stopped. */
  Heartbeat start(final ScheduledExecutorService timer, final Duration interval) {
    final long millis = interval.toMillis();
    try {
      final ScheduledFuture<?> scheduled =
          timer.scheduleAtFixedRate(this::tick, millis, millis, TimeUnit.MILLISECONDS);
      synchronized (this) {
        if (stopped) {
          scheduled.cancel(false);
        } else {
          task = scheduled;
        }
      }
    } catch (RejectedExecutionException e) {
      stop(); // the gateway is stopping
    }
    return this;
  }

  /** One interval passed: ping, or give up after {@code maxMissed} unanswered pings. */
  void tick() {
    final boolean giveUp;
    synchronized (this) {
      if (stopped) {
        return;
      }
      giveUp = missed >= maxMissed;
      if (!giveUp) {
        missed++;
      }
    }
    if (giveUp) {
      stop();
      timedOut.run();
    } else if (!ping.getAsBoolean()) {
      stop();
    }
  }

  /** A pong arrived. */
  synchronized void pong() {
    missed = 0;
  }

  /** Pings unanswered so far. */
  synchronized int missed() {
    return missed;
  }

  /** No more pings (the session closed); idempotent. */
  void stop() {
    final ScheduledFuture<?> scheduled;
    synchronized (this) {
      stopped = true;
      scheduled = task;
      task = null;
    }
    if (scheduled != null) {
      scheduled.cancel(false);
    }
  }
}
