package io.tidewire.bench.load;

import io.tidewire.bench.BenchStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The capture's own measure of commit → Kafka acknowledgement: its
 * {@code tidewire.capture.commit.to.ack} timer (a Prometheus histogram on the capture's ops port),
 * read before and after a window so that only the changes of the window count. Percentiles come
 * from the histogram's buckets, so they are the upper bound of the bucket they fall in.
 *
 * <p>Thread-safe (immutable).
 */
public final class CaptureAckMetric {

  private static final String METRIC = "tidewire_capture_commit_to_ack_seconds";
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** Cumulative histogram counts at one moment: bucket upper bound (s) → count, count, sum (s). */
  public record Reading(TreeMap<Double, Double> buckets, double count, double sumSeconds) {}

  /**
   * The capture's commit → ack over a window, in milliseconds (percentiles are bucket upper
   * bounds).
   */
  public record Window(long count, double meanMs, double p50Ms, double p99Ms) {}

  private final URI metrics;

  private CaptureAckMetric(final URI metrics) {
    this.metrics = metrics;
  }

  /**
   * The metric of the stack's running capture; empty when there is none (external stack,
   * capture not running).
   */
  public static Optional<CaptureAckMetric> of(final BenchStack stack) {
    return stack.metricsPort(BenchStack.Part.CAPTURE).map(port ->
        new CaptureAckMetric(URI.create("http://127.0.0.1:" + port + "/metrics")));
  }

  /** The histogram now; empty if /metrics cannot be read. */
  public Optional<Reading> read() {
    try {
      final String text = HTTP.send(HttpRequest.newBuilder(metrics)
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
      return Optional.of(parse(text));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** The changes acknowledged between two readings; empty if none. */
  public static Optional<Window> between(final Reading before, final Reading after) {
    final double count = after.count() - before.count();
    if (count <= 0) {
      return Optional.empty();
    }
    final double mean = (after.sumSeconds() - before.sumSeconds()) / count * 1000;
    return Optional.of(new Window(Math.round(count), round(mean),
        quantile(before, after, count, 0.50), quantile(before, after, count, 0.99)));
  }

  private static double quantile(final Reading before, final Reading after, final double count,
      final double q) {
    for (final Map.Entry<Double, Double> e : after.buckets().entrySet()) {
      final double cumulative = e.getValue() - before.buckets().getOrDefault(e.getKey(), 0.0);
      if (cumulative >= q * count) {
        return Double.isInfinite(e.getKey()) ? Double.NaN : round(e.getKey() * 1000);
      }
    }
    return Double.NaN;
  }

  static Reading parse(final String text) {
    final TreeMap<Double, Double> buckets = new TreeMap<>();
    double count = 0;
    double sum = 0;
    for (final String line : text.split("\n")) {
      if (!line.startsWith(METRIC)) {
        continue;
      }
      final double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
      if (line.startsWith(METRIC + "_bucket{")) {
        final int le = line.indexOf("le=\"");
        final String bound = line.substring(le + 4, line.indexOf('"', le + 4));
        buckets.merge("+Inf".equals(bound) ? Double.POSITIVE_INFINITY
            : Double.parseDouble(bound), value, Double::sum);
      } else if (line.startsWith(METRIC + "_count")) {
        count += value;
      } else if (line.startsWith(METRIC + "_sum")) {
        sum += value;
      }
    }
    return new Reading(buckets, count, sum);
  }

  private static double round(final double v) {
    return Math.round(v * 10) / 10.0;
  }
}
