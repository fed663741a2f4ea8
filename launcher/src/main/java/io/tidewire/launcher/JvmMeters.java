package io.tidewire.launcher;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;

/**
 * The standard JVM meters (heap and non-heap memory, GC pauses, threads, class loading, process
 * and system CPU) on a process's registry, so {@code /metrics} tells an operator — and the
 * benchmarks — what a part costs. Stateless.
 */
final class JvmMeters {

  private JvmMeters() {
  }

  /**
   * Binds the JVM meters to {@code registry}.
   *
   * @return the GC meters, which hold a listener; close them with the registry
   */
  static AutoCloseable bind(final MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    final JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    return gc;
  }
}
