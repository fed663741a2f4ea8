package io.tidewire.gateway.testing;

import io.tidewire.gateway.session.Recovery;
import io.tidewire.gateway.session.ReplayRead;
import io.tidewire.gateway.session.ReplayResult;
import io.tidewire.gateway.session.Replays;
import io.tidewire.schemas.avro.UserState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A {@link Recovery} that records what it is asked and lets the test answer. */
public final class FakeRecovery implements Recovery, Replays {

  /** A snapshot request waiting for the test's answer. */
  public record SnapshotRequest(String userId, Consumer<Optional<UserState>> ready,
      Consumer<String> failed) {}

  /** A replay read waiting for the test's answer. */
  public record ReadRequest(ReplayRead read, Consumer<ReplayResult> done) {
    /** Answers the read, as a worker would. */
    public void answer(final ReplayResult result) {
      done.accept(result);
    }
  }

  private final List<ReadRequest> reads = new ArrayList<>();
  private final List<SnapshotRequest> snapshots = new ArrayList<>();
  private final List<Outcome> finished = new ArrayList<>();
  private volatile boolean admit = true;
  private int admitted;

  /** Whether replays are admitted (false plays a pool at capacity). */
  public void admit(final boolean on) {
    admit = on;
  }

  @Override
  public Replays replays() {
    return this;
  }

  @Override
  public synchronized boolean admit(final String userId) {
    if (admit) {
      admitted++;
    }
    return admit;
  }

  @Override
  public synchronized void read(final ReplayRead read, final Consumer<ReplayResult> done) {
    reads.add(new ReadRequest(read, done));
  }

  @Override
  public synchronized void finished(final String userId, final Outcome outcome,
      final Duration took) {
    admitted--;
    finished.add(outcome);
  }

  @Override
  public synchronized void snapshot(final String userId, final Consumer<Optional<UserState>> ready,
      final Consumer<String> failed) {
    snapshots.add(new SnapshotRequest(userId, ready, failed));
  }

  /** The reads asked for so far, in order. */
  public synchronized List<ReadRequest> reads() {
    return List.copyOf(reads);
  }

  /** The last read asked for. */
  public synchronized ReadRequest lastRead() {
    return reads.get(reads.size() - 1);
  }

  /** Replays admitted and not finished. */
  public synchronized int admitted() {
    return admitted;
  }

  /** How the finished replays ended, in order. */
  public synchronized List<Outcome> finished() {
    return List.copyOf(finished);
  }

  public synchronized List<SnapshotRequest> snapshots() {
    return List.copyOf(snapshots);
  }
}
