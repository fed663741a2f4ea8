package io.tidewire.capture;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Reads Debezium's own PostgreSQL connector metrics (JMX, documented in the connector's
 * "Monitoring" section) to tell whether the capture is streaming: the streaming metrics report
 * {@code Connected=true}, which the change-event coordinator sets once the snapshot (if any) has
 * ended and the streaming source is starting, and no snapshot is running.
 *
 * <p>The MBeans are named after {@code topic.prefix}, so two engines with the same prefix in one
 * JVM would share them. Thread-safe.
 */
final class StreamingProbe {

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
  private final ObjectName streaming;
  private final ObjectName snapshot;

  /**
   * @param topicPrefix the connector's {@code topic.prefix} (the MBeans' {@code server} key); it
   *     needs no JMX quoting since {@link CaptureConfig} restricts it to {@code [A-Za-z0-9._-]}
   */
  StreamingProbe(final String topicPrefix) {
    this.streaming = name("streaming", topicPrefix);
    this.snapshot = name("snapshot", topicPrefix);
  }

  /** True when the connector streams from the replication slot and no snapshot is running. */
  boolean isStreaming() {
    try {
      if (!server.isRegistered(streaming) || !Boolean.TRUE.equals(server.getAttribute(streaming, "Connected"))) {
        return false;
      }
      return !server.isRegistered(snapshot) || !Boolean.TRUE.equals(server.getAttribute(snapshot, "SnapshotRunning"));
    } catch (JMException e) {
      // unregistered between the two calls: the connector is stopping
      return false;
    }
  }

  private static ObjectName name(final String context, final String topicPrefix) {
    try {
      return new ObjectName("debezium.postgres:type=connector-metrics,context=" + context + ",server=" + topicPrefix);
    } catch (MalformedObjectNameException e) {
      throw new IllegalArgumentException("topic prefix '" + topicPrefix + "' cannot name a JMX MBean", e);
    }
  }
}
