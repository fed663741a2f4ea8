package io.tidewire.launcher.cluster;

import io.tidewire.launcher.ChildPart;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One part of the {@link LocalCluster} running as a child JVM: a broker, the capture, a processor
 * or a gateway. It keeps its ports, its data directory and its log directory across
 * {@link #crash()}/{@link #stop()} and {@link #start()}, so a restarted part is the same part.
 *
 * <p>Thread-safe (the child process is guarded by {@link ChildPart}'s lock).
 */
public final class Part {

  private final String name;
  private final String role;
  private final ChildPart child;
  private final Map<String, Integer> ports;
  private final Path logDir;

  Part(final String name, final String role, final ChildPart child,
      final Map<String, Integer> ports, final Path logDir) {
    this.name = name;
    this.role = role;
    this.child = child;
    final Map<String, Integer> all = new LinkedHashMap<>(ports);
    all.put("ops", child.metricsPort());
    this.ports = Map.copyOf(all);
    this.logDir = logDir;
  }

  /** {@code broker-1}, {@code capture}, {@code processor-1}, {@code gateway-2}, ... */
  public String name() {
    return name;
  }

  /** {@code broker}, {@code capture}, {@code processor} or {@code gateway}. */
  public String role() {
    return role;
  }

  /** SIGKILL, and waits until the process is gone: no flush, no commit, no goodbye. */
  public void crash() {
    child.crash();
  }

  /** SIGTERM, and waits until the part has closed gracefully (SIGKILL after 60 s). */
  public void stop() {
    child.stop();
  }

  /**
   * Starts the part again (same ports, same data directory) and waits until it is ready.
   *
   * @throws IllegalStateException if it runs already, exits, or is not ready in time
   */
  public void start() {
    child.start();
  }

  /** Whether the part answers its readiness check (ops port {@code /ready}; gateways {@code /health}). */
  public boolean ready() {
    return child.ready();
  }

  /** How many times the part was restarted after exiting with a failure of its own. */
  public int restarts() {
    return child.restarts();
  }

  /** The running process's id; empty while the part is down. */
  public OptionalLong pid() {
    return child.pid().map(OptionalLong::of).orElse(OptionalLong.empty());
  }

  /** The part's ports by purpose; always includes {@code ops} (health, readiness, metrics). */
  public Map<String, Integer> ports() {
    return ports;
  }

  /** Where the part's logs go, one file per start. */
  public Path logDir() {
    return logDir;
  }

  /** The part's row in the parts table. */
  public PartInfo info() {
    final Map<String, Integer> ordered = new LinkedHashMap<>();
    PartsTable.PORT_ORDER.forEach(k -> {
      if (ports.containsKey(k)) {
        ordered.put(k, ports.get(k));
      }
    });
    return new PartInfo(name, role, pid(), ordered);
  }

  @Override
  public String toString() {
    return name + " " + ports;
  }
}
