package io.tidewire.bench.micro;

import org.openjdk.jmh.runner.RunnerException;

/**
 * {@code bin/tidewire bench micro [JMH options]}: the JMH micro-benchmarks of single classes (the
 * pipeline's scenarios are {@code bin/tidewire bench}). Arguments are JMH's own, e.g. a regular
 * expression of benchmarks to run, {@code -f 2}, {@code -prof gc}, {@code -h}.
 */
public final class MicroMain {

  private MicroMain() {}

  public static void main(final String[] args) throws RunnerException, java.io.IOException {
    org.openjdk.jmh.Main.main(args.length == 0 ? new String[] {"io.tidewire.bench.micro"} : args);
  }
}
