package io.tidewire.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class ThreadReplacementPolicyTest {

  private final AtomicLong nanos = new AtomicLong();
  private final ThreadReplacementPolicy policy =
      new ThreadReplacementPolicy(2, Duration.ofMinutes(1), nanos::get);

  @Test
  void replacesDeadThreadsUntilTheyKeepDying() {
    final RuntimeException boom = new IllegalStateException("boom");

    assertThat(policy.handle(boom)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    assertThat(policy.handle(boom)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    assertThat(policy.handle(boom)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
  }

  @Test
  void oldReplacementsStopCountingAfterTheWindow() {
    final RuntimeException boom = new IllegalStateException("boom");
    policy.handle(boom);
    policy.handle(boom);

    nanos.addAndGet(Duration.ofMinutes(2).toNanos());

    assertThat(policy.handle(boom)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
  }
}
