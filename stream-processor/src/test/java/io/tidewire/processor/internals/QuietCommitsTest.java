package io.tidewire.processor.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

class QuietCommitsTest {

  private static final Duration QUIET = Duration.ofMillis(2);
  private static final Duration INTERVAL = Duration.ofMillis(10);

  /** One clock behind both suppliers: nanos for the thread's spells, millis for record ages. */
  private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
  private final AtomicInteger asked = new AtomicInteger();
  private final MockProcessorContext<String, String> context = new MockProcessorContext<>();
  /** A clock that moves on by a nanosecond at every reading, as a real one does. */
  private final QuietCommits quiet = QuietCommits.after(QUIET, INTERVAL, asked::incrementAndGet,
      nanos::incrementAndGet, this::nowMs);

  private long nowMs() {
    return nanos.get() / 1_000_000;
  }

  private void advanceMillis(final long millis) {
    nanos.addAndGet(Duration.ofMillis(millis).toNanos());
  }

  /** Whether a record written {@code ageMs} ago asked for a commit; clears the request. */
  private boolean asks(final QuietCommits commits, final long ageMs) {
    context.resetCommit();
    commits.arrived(context, nowMs() - ageMs);
    return context.committed();
  }

  private boolean freshAsks() {
    return asks(quiet, 1);
  }

  @Test
  void aFreshRecordAfterAQuietSpellAsksForACommitAndRecordsCloseBehindItDoNot() {
    assertThat(freshAsks()).as("a thread's first record").isTrue();
    advanceMillis(1);
    assertThat(freshAsks()).as("1 ms later").isFalse();
    advanceMillis(12);
    assertThat(freshAsks()).as("12 ms after the last").isTrue();
    advanceMillis(60_000);
    assertThat(freshAsks()).as("a minute later").isTrue();
    assertThat(freshAsks()).as("right behind it").isFalse();
    assertThat(asked).as("the counter").hasValue(3);
  }

  @Test
  void aBurstAsksOnceAtItsStart() {
    advanceMillis(100);
    int commits = 0;
    for (int i = 0; i < 1_000; i++) {
      commits += freshAsks() ? 1 : 0;
      nanos.addAndGet(50_000); // 20k records/s
    }
    assertThat(commits).isEqualTo(1);
  }

  @Test
  void aRecordOlderThanFiveCommitIntervalsDoesNotAskWhateverTheSpellBeforeIt() {
    // a thread behind its input (or paused by its own commit) sees old records: the interval batches
    advanceMillis(100);
    assertThat(asks(quiet, 51)).as("written 51 ms ago: more than five intervals").isFalse();
    advanceMillis(100);
    assertThat(asks(quiet, 50)).as("written five intervals ago").isTrue();
  }

  @Test
  void aThreadAsksAtMostOncePerCommitInterval() {
    // the record after a slow commit follows a pause: it must not make every record a transaction
    assertThat(freshAsks()).isTrue();
    advanceMillis(4);
    assertThat(freshAsks()).as("after a 4 ms pause, 4 ms after the ask").isFalse();
    advanceMillis(4);
    assertThat(freshAsks()).as("8 ms after the ask").isFalse();
    advanceMillis(3);
    assertThat(freshAsks()).as("11 ms after the ask, 3 after the last record").isTrue();
    int commits = 0;
    for (int i = 0; i < 100; i++) {
      advanceMillis(3); // a record every 3 ms, each after a "quiet" spell
      commits += freshAsks() ? 1 : 0;
    }
    assertThat(commits).as("300 ms: one per 10 ms interval at most").isBetween(20, 30);
  }

  @Test
  void eachStreamThreadHasItsOwnSpells() throws Exception {
    assertThat(freshAsks()).isTrue();
    // another thread's records say nothing about this one's, and the other way round
    final MockProcessorContext<String, String> other = new MockProcessorContext<>();
    final boolean otherAsked = CompletableFuture.supplyAsync(() -> {
      quiet.arrived(other, nowMs());
      return other.committed();
    }).get();
    assertThat(otherAsked).as("the other thread's first record").isTrue();
    assertThat(freshAsks()).as("this thread, right behind its own record").isFalse();
  }

  @Test
  void zeroNeverAsks() {
    final QuietCommits off = QuietCommits.after(Duration.ZERO, INTERVAL, asked::incrementAndGet, nanos::get,
        this::nowMs);
    assertThat(off.enabled()).isFalse();
    assertThat(off).isSameAs(QuietCommits.off());
    for (int i = 0; i < 3; i++) {
      advanceMillis(60_000);
      assertThat(asks(off, 0)).isFalse();
    }
    assertThat(asked).hasValue(0);
    assertThat(quiet.enabled()).isTrue();
  }

  @Test
  void negativeDurationsAreRefused() {
    assertThatThrownBy(() -> QuietCommits.after(Duration.ofMillis(-1), INTERVAL, () -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    assertThatThrownBy(() -> QuietCommits.after(QUIET, Duration.ofMillis(-1), () -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
  }
}
