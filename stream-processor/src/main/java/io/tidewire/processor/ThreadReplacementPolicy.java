package io.tidewire.processor;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a stream thread that died, unless threads keep dying: after {@code maxReplacements}
 * within {@code window} it shuts the client down instead, so a persistent failure shows as an
 * unhealthy process (and a restart by the supervisor) rather than an endless replace loop.
 * Thread-safe.
 */
final class ThreadReplacementPolicy implements StreamsUncaughtExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ThreadReplacementPolicy.class);

  private final int maxReplacements;
  private final long windowNanos;
  private final LongSupplier nanoClock;
  private final Deque<Long> replacements = new ArrayDeque<>();

  ThreadReplacementPolicy(final int maxReplacements, final Duration window, final LongSupplier nanoClock) {
    this.maxReplacements = maxReplacements;
    this.windowNanos = window.toNanos();
    this.nanoClock = nanoClock;
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(final Throwable exception) {
    final long now = nanoClock.getAsLong();
    while (!replacements.isEmpty() && now - replacements.peekFirst() > windowNanos) {
      replacements.removeFirst();
    }
    if (replacements.size() >= maxReplacements) {
      LOG.error("Stream thread died again ({} replacements within {} s); shutting the processor down",
          replacements.size(), Duration.ofNanos(windowNanos).toSeconds(), exception);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    replacements.addLast(now);
    LOG.error("Stream thread died; replacing it ({} of {} within {} s)", replacements.size(),
        maxReplacements, Duration.ofNanos(windowNanos).toSeconds(), exception);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }
}
