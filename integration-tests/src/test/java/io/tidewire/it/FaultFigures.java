package io.tidewire.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What the clients of each fault scenario saw, in figures, written as a table to
 * {@code target/fault-summary.txt} after each scenario (so a run that stops half-way still leaves
 * the figures of the scenarios it ran). Figures are measured, never asserted: the scenarios assert
 * the ledger; how fast the cluster recovers on a loaded two-core machine is for people to read.
 *
 * <ul>
 *   <li><b>recovery</b>: from the fault until every client had an event of a change committed
 *       after the fault (so for a database or Kafka outage it includes the outage);
 *   <li><b>after restart</b>: the same from the moment the stopped part was ready again;
 *   <li><b>worst latency</b>: the longest time from a change's commit to its first arrival at a
 *       client, over the scenario's changes and clients;
 *   <li><b>max away</b>: the longest time a client was without a subscription (connection lost
 *       until the resumed {@code subscribed});
 *   <li><b>gaps</b>: committed changes some client never got (after the final wait), summed over
 *       clients; <b>duplicates</b>: events a client got again, absorbed by de-duplication by id.
 * </ul>
 *
 * <p>Not thread-safe: one scenario at a time.
 */
final class FaultFigures {

  /** One scenario's figures; times in ms, -1 where they do not apply. */
  record Row(String scenario, long recoveryMs, long afterRestartMs, long worstLatencyMs,
      long maxAwayMs, String resumes, long gaps, long duplicates, String notes) {}

  private final Path file;
  private final List<Row> rows = new ArrayList<>();

  FaultFigures(final Path file) {
    this.file = file;
  }

  /**
   * Measures a scenario from its clients and load and adds it to the table.
   *
   * @param faultAt System.nanoTime of the fault
   * @param restartAt System.nanoTime when the stopped part was ready again, if one was
   */
  Row add(final String scenario, final Ledger ledger, final LoadWriter load,
      final Map<FailoverClient, UUID> clients, final long faultAt, final OptionalLong restartAt,
      final String notes) {
    final Map<Ledger.Change, Long> firstArrival = new HashMap<>();
    long recovery = 0;
    long afterRestart = 0;
    long maxAway = 0;
    long gaps = 0;
    long duplicates = 0;
    int resumes = 0;
    int recovered = 0;
    for (final Map.Entry<FailoverClient, UUID> e : clients.entrySet()) {
      final FailoverClient client = e.getKey();
      long firstAfterFault = Long.MAX_VALUE;
      long firstAfterRestart = Long.MAX_VALUE;
      final Map<Ledger.Change, Long> mine = new HashMap<>();
      for (final FailoverClient.Received r : client.received()) {
        final Optional<Ledger.Change> change = Ledger.Change.of(r.event());
        final OptionalLong committed = change.map(load::committedAt).orElse(OptionalLong.empty());
        if (committed.isEmpty()) {
          continue;
        }
        mine.merge(change.get(), r.atNanos(), Math::min);
        if (committed.getAsLong() > faultAt) {
          firstAfterFault = Math.min(firstAfterFault, r.atNanos());
        }
        if (restartAt.isPresent() && committed.getAsLong() > restartAt.getAsLong()) {
          firstAfterRestart = Math.min(firstAfterRestart, r.atNanos());
        }
      }
      mine.forEach((c, at) -> firstArrival.merge(c, at, Math::max));
      recovery = Math.max(recovery, since(firstAfterFault, faultAt));
      if (restartAt.isPresent()) {
        afterRestart = Math.max(afterRestart, since(firstAfterRestart, restartAt.getAsLong()));
      }
      maxAway = Math.max(maxAway, client.maxAwayMillis());
      gaps += Math.max(0, ledger.committedCount(e.getValue())
          - ledger.receivedCount(e.getValue(), client.events()));
      duplicates += client.duplicates();
      resumes += client.resumes();
      recovered += client.recoveredResumes();
    }
    long worst = 0;
    for (final Map.Entry<Ledger.Change, Long> a : firstArrival.entrySet()) {
      worst = Math.max(worst, a.getValue() - load.committedAt(a.getKey()).orElseThrow());
    }
    final Row row = new Row(scenario, millis(recovery), restartAt.isPresent() ? millis(afterRestart)
        : -1, millis(worst), resumes == 0 ? -1 : maxAway, resumes == 0 ? "-" : recovered + "/" + resumes + " recovered",
        gaps, duplicates, notes);
    rows.add(row);
    write();
    return row;
  }

  /** Adds a row measured by the scenario itself. */
  void add(final Row row) {
    rows.add(row);
    write();
  }

  /** Nanos from {@code start} to {@code at}; MAX_VALUE if {@code at} never came. */
  private static long since(final long at, final long start) {
    return at == Long.MAX_VALUE ? Long.MAX_VALUE : at - start;
  }

  private static long millis(final long nanos) {
    return nanos == Long.MAX_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  List<Row> rows() {
    return List.copyOf(rows);
  }

  /** The table as written to the file. */
  String table() {
    final StringBuilder b = new StringBuilder();
    b.append(String.format("%-42s %10s %10s %10s %9s %-18s %5s %5s  %s%n", "scenario",
        "recovery", "after", "worst", "max away", "resumes", "gaps", "dups", "notes"));
    b.append(String.format("%-42s %10s %10s %10s %9s %-18s %5s %5s%n", "", "ms", "restart ms",
        "latency ms", "ms", "", "", ""));
    for (final Row r : rows) {
      b.append(String.format("%-42s %10s %10s %10s %9s %-18s %5d %5d  %s%n", r.scenario(),
          shown(r.recoveryMs()), shown(r.afterRestartMs()), shown(r.worstLatencyMs()),
          shown(r.maxAwayMs()), r.resumes(), r.gaps(), r.duplicates(), r.notes()));
    }
    return b.toString();
  }

  private static String shown(final long ms) {
    return ms < 0 ? "-" : String.format("%,d", ms);
  }

  private void write() {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, table());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
