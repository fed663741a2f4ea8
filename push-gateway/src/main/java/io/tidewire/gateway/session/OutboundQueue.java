package io.tidewire.gateway.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The bounded writer queue of one connection: frames wait here and are handed to the
 * {@link Transport} one write at a time, the next when the previous send completed. A write takes
 * every frame that waits, up to {@value #MAX_BATCH_FRAMES} frames and {@value #MAX_BATCH_BYTES}
 * bytes (at least one): a connection that keeps up sends each frame as it comes, a backlogged one
 * catches up with one write (and one completion) for many frames. The queue holds
 * at most {@code maxMessages} frames and {@code maxBytes} bytes (a single frame larger than
 * {@code maxBytes} is accepted only into an empty queue); an offer beyond that is refused with
 * {@link Offer#OVERFLOW} and the caller decides what to do (the session disconnects the client as a
 * slow consumer). So a client that does not read costs the server at most these bounds plus the
 * one write in flight (at most {@value #MAX_BATCH_BYTES} bytes, or one larger frame).
 *
 * <p>{@link #finish} ends the queue: no more offers are accepted, an optional last frame is queued
 * (past the bounds), and a callback runs once everything queued was sent (or a send failed).
 *
 * <p>Producers that can wait (a replay) ask {@link #hasRoom()} before producing and park with
 * {@link #whenRoom} until the queue has drained to half its bounds, instead of overflowing it.
 *
 * <p>Thread-safe. Sends are started outside the queue's lock; a transport that completes
 * synchronously does not grow the stack.
 */
public final class OutboundQueue {

  /** Result of {@link #offer}. */
  public enum Offer {
    /** Queued (or already sending). */
    ACCEPTED,
    /** Refused: the queue is full. */
    OVERFLOW,
    /** Refused: the queue was finished or a send failed. */
    CLOSED
  }

  /** Most frames in one write. */
  static final int MAX_BATCH_FRAMES = 64;
  /** Most bytes in one write (a larger single frame still goes alone). */
  static final int MAX_BATCH_BYTES = 64 * 1024;

  private final Transport transport;
  private final int maxMessages;
  private final long maxBytes;
  private final Runnable onSent;
  private final Consumer<Throwable> onFailure;
  private final Consumer<Optional<Throwable>> onCompleted = this::completed;

  private final Object lock = new Object();
  private final ArrayDeque<OutboundFrame> pending = new ArrayDeque<>();
  private long pendingBytes;
  private boolean inFlight;
  private int inFlightFrames;
  private boolean draining;
  private boolean finished;
  private boolean failed;
  private Runnable whenDrained;
  private final List<Runnable> roomWaiters = new ArrayList<>();
  private long peakBytes;

  /**
   * @param transport where frames go
   * @param maxMessages most frames waiting
   * @param maxBytes most bytes waiting
   * @param onSent called for each frame of a successful send (metrics)
   * @param onFailure called once when a send fails; the queue is closed from then on
   */
  public OutboundQueue(final Transport transport, final int maxMessages, final long maxBytes,
      final Runnable onSent, final Consumer<Throwable> onFailure) {
    if (maxMessages < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("queue bounds must be positive");
    }
    this.transport = transport;
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
    this.onSent = onSent;
    this.onFailure = onFailure;
  }

  /** Queues a frame of {@code bytes} UTF-8 bytes unless the queue is full or closed. */
  public Offer offer(final String text, final int bytes) {
    return offer(OutboundFrame.of(text, bytes));
  }

  /**
   * Queues a frame unless the queue is full or closed. The frame may be shared with other queues
   * (a live event goes to many sessions as one object).
   */
  public Offer offer(final OutboundFrame frame) {
    final int bytes = frame.bytes();
    final boolean start;
    synchronized (lock) {
      if (finished || failed) {
        return Offer.CLOSED;
      }
      if (!QueueRoom.accepts(pending.size(), pendingBytes, maxMessages, maxBytes, bytes)) {
        return Offer.OVERFLOW;
      }
      pending.add(frame);
      pendingBytes += bytes;
      peakBytes = Math.max(peakBytes, pendingBytes);
      start = claimDrain();
    }
    if (start) {
      drain();
    }
    return Offer.ACCEPTED;
  }

  /**
   * Whether the queue is at most half full (in frames and in bytes) and open: the point below
   * which a producer that can wait may produce again.
   */
  public boolean hasRoom() {
    synchronized (lock) {
      return roomNow();
    }
  }

  /**
   * Runs {@code waiter} once, when {@link #hasRoom()} holds or the queue closes: at once (on this
   * thread) if it does already, else on the thread that completes the send that makes room.
   */
  public void whenRoom(final Runnable waiter) {
    synchronized (lock) {
      if (!roomNow() && !finished && !failed) {
        roomWaiters.add(waiter);
        return;
      }
    }
    waiter.run();
  }

  /** How full the queue is now, as a value (see {@link QueueRoom}). */
  public QueueRoom room() {
    synchronized (lock) {
      return new QueueRoom(pending.size(), pendingBytes, maxMessages, maxBytes, finished || failed);
    }
  }

  /** The most bytes that ever waited in this queue (including a final frame past the bounds). */
  public long peakBytes() {
    synchronized (lock) {
      return peakBytes;
    }
  }

  // Must hold lock.
  private boolean roomNow() {
    return !finished && !failed && QueueRoom.hasRoom(pending.size(), pendingBytes, maxMessages, maxBytes);
  }

  // Must hold lock. The waiters to run (outside the lock) now that there is room or the queue closed.
  private List<Runnable> takeRoomWaiters() {
    if (roomWaiters.isEmpty() || !(roomNow() || finished || failed)) {
      return List.of();
    }
    final List<Runnable> ready = new ArrayList<>(roomWaiters);
    roomWaiters.clear();
    return ready;
  }

  /**
   * Ends the queue. Later offers return {@link Offer#CLOSED}; a second call does nothing.
   *
   * @param last a frame to send after what is queued (or instead of it), past the bounds
   * @param dropPending whether to discard the frames still waiting
   * @param whenDrained runs once, when nothing is queued or in flight any more (at once if idle)
   */
  public void finish(final Optional<String> last, final boolean dropPending,
      final Runnable whenDrained) {
    final boolean start;
    final boolean idle;
    final List<Runnable> waiters;
    synchronized (lock) {
      if (finished) {
        return;
      }
      finished = true;
      if (dropPending || failed) {
        pending.clear();
        pendingBytes = 0;
      }
      if (last.isPresent() && !failed) {
        pending.add(OutboundFrame.of(last.get()));
        pendingBytes += pending.peekLast().bytes();
        peakBytes = Math.max(peakBytes, pendingBytes);
      }
      start = claimDrain();
      idle = !start && !inFlight && !draining && pending.isEmpty();
      this.whenDrained = idle ? null : whenDrained;
      waiters = takeRoomWaiters();
    }
    waiters.forEach(Runnable::run);
    if (idle) {
      whenDrained.run();
    } else if (start) {
      drain();
    }
  }

  /** Frames waiting (not counting the one in flight). */
  public int pendingMessages() {
    synchronized (lock) {
      return pending.size();
    }
  }

  /** Bytes waiting (not counting the frame in flight). */
  public long pendingBytes() {
    synchronized (lock) {
      return pendingBytes;
    }
  }

  /** Whether the queue accepts no more offers. */
  public boolean isClosed() {
    synchronized (lock) {
      return finished || failed;
    }
  }

  // Must hold lock. True if the caller must run drain().
  private boolean claimDrain() {
    if (draining || inFlight || pending.isEmpty()) {
      return false;
    }
    draining = true;
    return true;
  }

  private void drain() {
    while (true) {
      OutboundFrame next = null;
      List<OutboundFrame> batch = null;
      Runnable done = null;
      final List<Runnable> waiters;
      synchronized (lock) {
        waiters = takeRoomWaiters();
        if (inFlight || pending.isEmpty() || failed) {
          draining = false;
          if (!inFlight && (pending.isEmpty() || failed) && whenDrained != null) {
            done = whenDrained;
            whenDrained = null;
          }
        } else {
          next = pending.poll();
          pendingBytes -= next.bytes();
          if (!pending.isEmpty()) {
            batch = batchFrom(next);
          }
          inFlight = true;
          inFlightFrames = batch == null ? 1 : batch.size();
        }
      }
      waiters.forEach(Runnable::run);
      if (next == null) {
        if (done != null) {
          done.run();
        }
        return;
      }
      try {
        if (batch == null) {
          transport.send(next, onCompleted);
        } else {
          transport.send(batch, onCompleted);
        }
      } catch (RuntimeException e) {
        completed(Optional.of(e));
      }
    }
  }

  // Must hold lock. The frames of a write that starts with first (already taken): more waiting
  // ones while they fit. Only called when frames wait, so a connection that keeps up allocates none.
  private List<OutboundFrame> batchFrom(final OutboundFrame first) {
    final List<OutboundFrame> batch = new ArrayList<>(Math.min(MAX_BATCH_FRAMES, pending.size() + 1));
    batch.add(first);
    long bytes = first.bytes();
    while (batch.size() < MAX_BATCH_FRAMES && !pending.isEmpty()
        && bytes + pending.peek().bytes() <= MAX_BATCH_BYTES) {
      final OutboundFrame frame = pending.poll();
      pendingBytes -= frame.bytes();
      bytes += frame.bytes();
      batch.add(frame);
    }
    return batch;
  }

  private void completed(final Optional<Throwable> failure) {
    final boolean start;
    boolean firstFailure = false;
    Runnable done = null;
    final List<Runnable> waiters;
    final int frames;
    synchronized (lock) {
      inFlight = false;
      frames = inFlightFrames;
      inFlightFrames = 0;
      if (failure.isPresent() && !failed) {
        failed = true;
        firstFailure = true;
        pending.clear();
        pendingBytes = 0;
      }
      start = claimDrain();
      if (!start && !draining && (pending.isEmpty() || failed) && whenDrained != null) {
        done = whenDrained;
        whenDrained = null;
      }
      waiters = takeRoomWaiters();
    }
    if (failure.isEmpty()) {
      for (int i = 0; i < frames; i++) {
        onSent.run();
      }
    } else if (firstFailure) {
      onFailure.accept(failure.get());
    }
    waiters.forEach(Runnable::run);
    if (start) {
      drain();
    }
    if (done != null) {
      done.run();
    }
  }
}
