package io.tidewire.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A command-line checker the build uses when it is installed (promtool, docker-compose): tests
 * that need one skip with a message where it is missing, and {@code .ci/run} installs it.
 */
final class ExternalTool {

  /** How a run ended: exit code and stdout and stderr together. */
  record Run(int exit, String output) {}

  private ExternalTool() {}

  /** The executable on the PATH, or in /usr/bin where Debian's packages put it. */
  static Optional<Path> find(final String name) {
    return Stream.concat(Stream.of(System.getenv("PATH").split(File.pathSeparator)), Stream.of("/usr/bin"))
        .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
  }

  /** Runs {@code command} with this JVM's environment changed by {@code env}; fails after a minute. */
  static Run run(final List<String> command, final Consumer<Map<String, String>> env)
      throws IOException, InterruptedException {
    final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    env.accept(builder.environment());
    final Process process = builder.start();
    final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command) + " ended").isTrue();
    return new Run(process.exitValue(), output);
  }

  /** Runs {@code command} and asserts it exits 0. */
  static void check(final List<String> command) throws IOException, InterruptedException {
    final Run run = run(command, env -> { });
    assertThat(run.exit()).as(String.join(" ", command) + ":\n" + run.output()).isZero();
  }
}
