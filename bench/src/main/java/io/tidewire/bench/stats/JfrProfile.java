package io.tidewire.bench.stats;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JVM spent its CPU, from the execution samples of a JFR recording: the share of
 * samples per top-of-stack method and per code area (the first three package segments of the
 * deepest frame that is not JDK code, e.g. {@code org.apache.kafka}, {@code io.debezium.connector}).
 * Stateless.
 */
public final class JfrProfile {

  private JfrProfile() {
  }

  /** A profile: sample count and the top entries, each with its percentage of samples. */
  public record Summary(long samples, Map<String, Double> topMethods, Map<String, Double> topAreas) {}

  /** Reads {@code recording} and keeps the {@code top} methods and areas. */
  public static Summary summarize(final Path recording, final int top) throws IOException {
    final Map<String, Long> methods = new HashMap<>();
    final Map<String, Long> areas = new HashMap<>();
    long samples = 0;
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        final RecordedEvent event = file.readEvent();
        if (!"jdk.ExecutionSample".equals(event.getEventType().getName())) {
          continue;
        }
        final RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        samples++;
        final List<RecordedFrame> frames = stack.getFrames();
        final RecordedFrame topFrame = frames.get(0);
        methods.merge(name(topFrame), 1L, Long::sum);
        areas.merge(area(frames), 1L, Long::sum);
      }
    }
    return new Summary(samples, topShares(methods, samples, top), topShares(areas, samples, top));
  }

  private static String name(final RecordedFrame frame) {
    return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
  }

  /** The code area of the innermost frame outside the JDK (java., jdk., sun.), else "JDK". */
  static String area(final List<RecordedFrame> frames) {
    for (final RecordedFrame frame : frames) {
      final String type = frame.getMethod().getType().getName();
      if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")
          && !type.startsWith("com.sun.")) {
        return packagePrefix(type, 3);
      }
    }
    return "JDK";
  }

  static String packagePrefix(final String className, final int segments) {
    final String[] parts = className.split("\\.");
    final StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(segments, parts.length - 1); i++) {
      if (out.length() > 0) {
        out.append('.');
      }
      out.append(parts[i]);
    }
    return out.length() == 0 ? className : out.toString();
  }

  /** The {@code top} largest counts as percentages of {@code total}, largest first. */
  static Map<String, Double> topShares(final Map<String, Long> counts, final long total,
      final int top) {
    final Map<String, Double> shares = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()
            .thenComparing(Map.Entry.comparingByKey()))
        .limit(top)
        .forEach(e -> shares.put(e.getKey(), total == 0 ? 0
            : Math.round(e.getValue() * 1000.0 / total) / 10.0));
    return shares;
  }
}
