package io.tidewire.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HeartbeatTest {

  private final AtomicInteger pings = new AtomicInteger();
  private final AtomicInteger timeouts = new AtomicInteger();
  private final AtomicBoolean open = new AtomicBoolean(true);
  private final Heartbeat heartbeat = new Heartbeat(2, () -> {
    pings.incrementAndGet();
    return open.get();
  }, timeouts::incrementAndGet);

  @Test
  void givesUpAfterTheSecondUnansweredPingOnly() {
    heartbeat.tick();
    heartbeat.tick();
    assertThat(pings).hasValue(2);
    assertThat(timeouts).hasValue(0);

    heartbeat.tick();

    assertThat(timeouts).hasValue(1);
    heartbeat.tick();
    assertThat(timeouts).hasValue(1);
    assertThat(pings).hasValue(2);
  }

  @Test
  void aClientThatAnswersStays() {
    for (int i = 0; i < 10; i++) {
      heartbeat.tick();
      heartbeat.pong();
    }

    assertThat(pings).hasValue(10);
    assertThat(timeouts).hasValue(0);
    assertThat(heartbeat.missed()).isZero();
  }

  @Test
  void stopsWhenThePingCannotGoOut() {
    open.set(false);
    heartbeat.tick();
    heartbeat.tick();
    heartbeat.tick();

    assertThat(pings).hasValue(1);
    assertThat(timeouts).hasValue(0);
  }

  @Test
  void stoppedHeartbeatDoesNothing() {
    heartbeat.stop();
    heartbeat.tick();
    heartbeat.tick();
    heartbeat.tick();

    assertThat(pings).hasValue(0);
    assertThat(timeouts).hasValue(0);
  }
}
