package io.tidewire.bench;

import java.time.Duration;
import java.util.List;

/**
 * How big and how long each scenario runs. {@link #full()} is what docs/BENCHMARKS.md reports;
 * {@link #smoke()} runs every scenario in seconds, with tiny sizes, to keep them working in CI
 * (its figures mean nothing).
 *
 * @param latencyRates changes per second of the latency scenario
 * @param latencyUsers users (each with a connected client) the latency updates are spread over
 * @param latencyWarmup driven before measuring, at each rate
 * @param latencyDuration measured, at each rate
 * @param throughputRates rates the throughput search tries, ascending
 * @param throughputStep how long each rate of the search runs
 * @param throughputSustain how long the best rate must hold
 * @param throughputUsers users the throughput changes are spread over
 * @param fanoutConnections connection counts of the fan-out scenario
 * @param fanoutDeliveries deliveries per second the fan-out broadcast aims at (rate × connections)
 * @param fanoutDuration measured at each connection count
 * @param catchupEvents missed events of the catch-up scenario
 * @param catchupOthersFactor events of other users per missed event, in the same partition
 * @param captureChanges changes of the capture scenario's bulk run
 * @param captureRate rate of the capture scenario's latency run
 * @param captureDuration duration of the capture scenario's latency run
 * @param ceilingConnections idle connections (each subscribed to its user channel) of the
 *     ceiling scenario
 * @param ceilingRecords records of each of the ceiling scenario's bursts
 * @param ceilingSharesPercent shares of the ceiling scenario's records addressed to connected
 *     users, in percent, one burst and one hold each
 * @param ceilingHold how long the ceiling scenario's fixed-rate hold runs
 * @param manyConnections idle connections of the connections scenario (one gateway)
 * @param manyIdle how long the connections scenario watches them idle (CPU with server pings)
 */
public record Sizes(List<Integer> latencyRates, int latencyUsers, Duration latencyWarmup,
    Duration latencyDuration, List<Integer> throughputRates, Duration throughputStep,
    Duration throughputSustain, int throughputUsers, List<Integer> fanoutConnections,
    int fanoutDeliveries, Duration fanoutDuration, List<Integer> catchupEvents,
    int catchupOthersFactor, int captureChanges, int captureRate, Duration captureDuration,
    int ceilingConnections, long ceilingRecords, List<Integer> ceilingSharesPercent,
    Duration ceilingHold, int manyConnections, Duration manyIdle) {

  public Sizes {
    latencyRates = List.copyOf(latencyRates);
    throughputRates = List.copyOf(throughputRates);
    fanoutConnections = List.copyOf(fanoutConnections);
    catchupEvents = List.copyOf(catchupEvents);
    ceilingSharesPercent = List.copyOf(ceilingSharesPercent);
  }

  /** The sizes of the published figures. */
  public static Sizes full() {
    return new Sizes(List.of(100, 1_000, 5_000), 500, Duration.ofSeconds(5),
        Duration.ofSeconds(20), List.of(2_500, 5_000, 7_500, 10_000, 15_000, 20_000),
        Duration.ofSeconds(15), Duration.ofSeconds(60), 2_000, List.of(1_000, 5_000, 10_000),
        100_000, Duration.ofSeconds(15), List.of(10_000, 100_000), 10, 200_000, 1_000,
        Duration.ofSeconds(20), 5_000, 1_000_000, List.of(0, 5, 100), Duration.ofSeconds(15),
        100_000, Duration.ofSeconds(60));
  }

  /** Seconds per scenario, tiny sizes: proves the scenarios run, measures nothing. */
  public static Sizes smoke() {
    return new Sizes(List.of(50), 10, Duration.ofMillis(500), Duration.ofSeconds(2),
        List.of(200, 400), Duration.ofSeconds(2), Duration.ofSeconds(2), 10, List.of(20),
        200, Duration.ofSeconds(2), List.of(200), 2, 1_000, 100, Duration.ofSeconds(2), 10,
        3_000, List.of(0, 100), Duration.ofSeconds(1), 200, Duration.ofSeconds(2));
  }

  /** These sizes with other latency rates. */
  public Sizes withLatencyRates(final List<Integer> rates) {
    return new Sizes(rates, latencyUsers, latencyWarmup, latencyDuration, throughputRates,
        throughputStep, throughputSustain, throughputUsers, fanoutConnections, fanoutDeliveries,
        fanoutDuration, catchupEvents, catchupOthersFactor, captureChanges, captureRate,
        captureDuration, ceilingConnections, ceilingRecords, ceilingSharesPercent, ceilingHold,
        manyConnections, manyIdle);
  }
}
