package io.tidewire.gateway.testing;

import io.tidewire.gateway.session.Transport;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A transport that records frames. In auto mode every send completes at once on the caller's
 * thread; otherwise sends stay in flight until {@link #completeNext()}.
 */
public final class FakeTransport implements Transport {

  private volatile boolean auto;
  private final List<String> sent = new ArrayList<>();
  private final ArrayDeque<Consumer<Optional<Throwable>>> inFlight = new ArrayDeque<>();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile Optional<CloseCode> closed = Optional.empty();
  private volatile boolean aborted;
  private int closes;

  public FakeTransport(final boolean auto) {
    this.auto = auto;
  }

  @Override
  public void send(final String text, final Consumer<Optional<Throwable>> done) {
    synchronized (this) {
      sent.add(text);
      inFlight.add(done);
      maxInFlight.accumulateAndGet(inFlight.size(), Math::max);
    }
    if (auto) {
      completeNext();
    }
  }

  /** Switches to (or from) completing sends at once. */
  public void auto(final boolean on) {
    auto = on;
  }

  /** Completes the oldest send successfully; returns false if none is in flight. */
  public boolean completeNext() {
    final Consumer<Optional<Throwable>> done;
    synchronized (this) {
      done = inFlight.poll();
    }
    if (done == null) {
      return false;
    }
    done.accept(Optional.empty());
    return true;
  }

  /** Fails the oldest send. */
  public void failNext(final Throwable failure) {
    final Consumer<Optional<Throwable>> done;
    synchronized (this) {
      done = inFlight.poll();
    }
    done.accept(Optional.of(failure));
  }

  @Override
  public synchronized void close(final CloseCode code) {
    closes++;
    if (closed.isEmpty()) {
      closed = Optional.of(code);
    }
  }

  /** Aborts if not aborted yet; a fake connection stays "open" until aborted. */
  @Override
  public synchronized boolean abort() {
    if (aborted) {
      return false;
    }
    aborted = true;
    return true;
  }

  /** Whether the connection was aborted. */
  public boolean aborted() {
    return aborted;
  }

  @Override
  public String id() {
    return "fake";
  }

  public synchronized List<String> sent() {
    return List.copyOf(sent);
  }

  public Optional<CloseCode> closed() {
    return closed;
  }

  public synchronized int closes() {
    return closes;
  }

  public int maxInFlight() {
    return maxInFlight.get();
  }
}
