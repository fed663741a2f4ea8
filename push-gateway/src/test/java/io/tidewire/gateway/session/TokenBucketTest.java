package io.tidewire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private static final long SECOND = 1_000_000_000L;

  /** Takes at {@code now} until refused; how many were taken. */
  private static int drain(final TokenBucket[] bucket, final long now) {
    int taken = 0;
    while (true) {
      final TokenBucket.Take take = bucket[0].take(now);
      bucket[0] = take.bucket();
      if (!take.taken()) {
        return taken;
      }
      taken++;
    }
  }

  @Test
  void aFullBucketAdmitsItsBurstAtOnceThenRefuses() {
    final TokenBucket[] bucket = {TokenBucket.full(20, 50, 0)};

    assertThat(drain(bucket, 0)).isEqualTo(50);
    assertThat(bucket[0].take(0).taken()).isFalse();
  }

  @Test
  void refillsAtItsRateAndNeverBeyondItsBurst() {
    final TokenBucket[] bucket = {TokenBucket.full(20, 50, 0)};
    drain(bucket, 0);

    assertThat(drain(bucket, SECOND / 2)).isEqualTo(10);
    assertThat(drain(bucket, SECOND / 2 + SECOND / 20 - 1)).isZero();
    assertThat(drain(bucket, SECOND / 2 + SECOND / 20)).isEqualTo(1);
    assertThat(drain(bucket, 3600 * SECOND)).isEqualTo(50);
  }

  @Test
  void aSteadySenderAtTheRateIsNeverRefused() {
    TokenBucket bucket = TokenBucket.full(20, 1, 0);
    for (long now = 0; now < 10 * SECOND; now += SECOND / 20) {
      final TokenBucket.Take take = bucket.take(now);
      assertThat(take.taken()).as("at %d ns", now).isTrue();
      bucket = take.bucket();
    }
  }

  @Test
  void aClockGoingBackRefillsNothing() {
    final TokenBucket[] bucket = {TokenBucket.full(20, 5, 10 * SECOND)};
    drain(bucket, 10 * SECOND);

    assertThat(drain(bucket, 0)).isZero();
    assertThat(drain(bucket, 10 * SECOND + SECOND / 20)).isEqualTo(1);
  }

  @Test
  void refusesNonsenseLimits() {
    assertThatThrownBy(() -> TokenBucket.full(0, 5, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TokenBucket.full(1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
