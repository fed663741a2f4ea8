package io.tidewire.processor.internals;

import io.tidewire.schemas.avro.SourcePosition;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link SourcePosition} as plain data, so that it travels through repartition topics and state
 * stores ({@link InternalSerde}). Immutable.
 *
 * @param table schema-qualified table
 * @param lsn {@code source.lsn}, when there is one
 * @param txId {@code source.txId}, when there is one
 * @param snapshot true for rows read by a snapshot
 */
public record Position(String table, Optional<Long> lsn, Optional<Long> txId, boolean snapshot) {

  public Position {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(lsn, "lsn");
    Objects.requireNonNull(txId, "txId");
  }

  /** Where {@code change} came from. */
  public static Position of(final ChangeEnvelope change) {
    return new Position(change.table().qualified(),
        change.lsn().isPresent() ? Optional.of(change.lsn().getAsLong()) : Optional.empty(),
        change.txId().isPresent() ? Optional.of(change.txId().getAsLong()) : Optional.empty(),
        change.snapshot());
  }

  /** The Avro record events carry. */
  public SourcePosition toAvro() {
    return SourcePosition.newBuilder()
        .setTable(table)
        .setLsn(lsn.orElse(null))
        .setTxId(txId.orElse(null))
        .setSnapshot(snapshot)
        .build();
  }
}
