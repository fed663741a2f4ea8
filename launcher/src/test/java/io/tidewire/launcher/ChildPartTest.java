package io.tidewire.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ChildPart}'s supervision with a real child JVM ({@link FailingChild}): a child that exits
 * with a failure of its own is started again; one crashed through the class, or killed by a signal
 * from outside, stays down.
 */
class ChildPartTest {

  private static final Duration WAIT = Duration.ofMinutes(1);

  @TempDir
  Path dir;
  private ChildPart part;

  @AfterEach
  void stop() {
    if (part != null) {
      part.close();
    }
  }

  private ChildPart child(final int failFirst) {
    return new ChildPart(FailingChild.class.getName(), "failing", List.of(), Map.of(),
        List.of("-Xmx32m", "-XX:TieredStopAtLevel=1",
            "-Dchild.starts=" + dir.resolve("starts"), "-Dchild.failFirst=" + failFirst),
        dir, Duration.ofSeconds(30));
  }

  private int starts() throws Exception {
    return Integer.parseInt(Files.readString(dir.resolve("starts")).trim());
  }

  @Test
  void aChildThatFailsOnItsOwnIsStartedAgainWithBackoffUntilItStays() throws Exception {
    part = child(2).restartOnFailure().start();
    // exits with 2 twice right after being seen ready; the third start stays
    await().atMost(WAIT).until(() -> part.restarts() == 2 && part.ready());
    assertThat(starts()).isEqualTo(3);
    assertThat(Files.readString(dir.resolve("child-failing-3.log"))).isEmpty();
  }

  @Test
  void withoutSupervisionAFailedChildStaysDown() throws Exception {
    part = child(1).start();
    await().atMost(WAIT).until(() -> part.pid().isEmpty());
    // the supervisor would have restarted it after 1 s; nothing may start it within 5
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
        .until(() -> part.pid().isEmpty() && starts() == 1);
    assertThat(part.restarts()).isZero();
  }

  @Test
  void aCrashOrAKillByHandIsNotRestarted() throws Exception {
    part = child(0).restartOnFailure().start();
    part.crash();
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
        .until(() -> part.pid().isEmpty() && starts() == 1);

    part.start();
    final long pid = part.pid().orElseThrow();
    // kill -9 from outside this class: exit code 137, a signal, so the part stays down
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    await().atMost(WAIT).until(() -> part.pid().isEmpty());
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
        .until(() -> part.pid().isEmpty() && starts() == 2);
    assertThat(part.restarts()).isZero();
  }
}
