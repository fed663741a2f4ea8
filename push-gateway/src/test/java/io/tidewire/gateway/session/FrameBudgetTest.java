package io.tidewire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameBudgetTest {

  private static final long SECOND = 1_000_000_000L;
  private static final FrameBudget.Limits LIMITS = new FrameBudget.Limits(20, 50, 100, Duration.ofSeconds(10));

  /** Sends {@code perSecond} frames a second for {@code seconds}, evenly spaced; the verdicts. */
  private static List<FrameBudget.Verdict> send(final int perSecond, final int seconds) {
    FrameBudget budget = FrameBudget.of(LIMITS, 0);
    final List<FrameBudget.Verdict> verdicts = new ArrayList<>();
    for (long i = 0; i < (long) perSecond * seconds; i++) {
      final FrameBudget.Spent spent = budget.frame(i * SECOND / perSecond);
      verdicts.add(spent.verdict());
      budget = spent.budget();
      if (spent.verdict() == FrameBudget.Verdict.CLOSE) {
        break;
      }
    }
    return verdicts;
  }

  @Test
  void aClientWithinItsRateIsNeverRefused() {
    assertThat(send(20, 60)).containsOnly(FrameBudget.Verdict.ADMIT);
  }

  @Test
  void aBurstBeyondTheBucketIsRefusedButNotClosed() {
    FrameBudget budget = FrameBudget.of(LIMITS, 0);
    final List<FrameBudget.Verdict> verdicts = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      final FrameBudget.Spent spent = budget.frame(0);
      verdicts.add(spent.verdict());
      budget = spent.budget();
    }

    assertThat(verdicts.subList(0, 50)).containsOnly(FrameBudget.Verdict.ADMIT);
    assertThat(verdicts.subList(50, 150)).containsOnly(FrameBudget.Verdict.REFUSE);
    assertThat(budget.frame(0).verdict()).isEqualTo(FrameBudget.Verdict.CLOSE);
  }

  @Test
  void aThousandFramesASecondAreRefusedThenClosedWithinASecond() {
    final List<FrameBudget.Verdict> verdicts = send(1_000, 5);

    assertThat(verdicts).endsWith(FrameBudget.Verdict.CLOSE).contains(FrameBudget.Verdict.REFUSE);
    // 50 burst + ~100 refusals + the few admitted meanwhile: closed after about 0.15 s.
    assertThat(verdicts).hasSizeLessThan(200);
  }

  @Test
  void refusalsInterleavedWithAdmittedFramesStillCountAsAbuse() {
    // 25 frames a second: 5 a second over the rate, so a refusal every few frames once the burst
    // is spent; the refusal bucket (100, refilled at 10 a second) never empties: not abuse.
    assertThat(send(25, 60)).doesNotContain(FrameBudget.Verdict.CLOSE)
        .contains(FrameBudget.Verdict.REFUSE);
    // 60 frames a second: 40 refusals a second, forgiven at 10 a second: closed within a few seconds.
    assertThat(send(60, 60)).endsWith(FrameBudget.Verdict.CLOSE).hasSizeLessThan(60 * 6);
  }
}
