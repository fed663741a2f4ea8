package io.tidewire.processor.internals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewire.processor.TableId;
import io.tidewire.schemas.avro.SourcePosition;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One decoded Debezium change of a row. Built only by {@link EnvelopeDecoder}, which guarantees
 * that {@code after} is present for c/u/r and {@code before} for d, and that a streamed change
 * (not a snapshot read) has an LSN. Treat as immutable: the row nodes must not be modified.
 *
 * @param table the table the change came from
 * @param op the operation
 * @param before the row before the change (u with REPLICA IDENTITY FULL, d)
 * @param after the row after the change (c, u, r)
 * @param sourceTsMs {@code source.ts_ms}: when the change was committed (or read, for snapshots)
 * @param lsn {@code source.lsn}
 * @param txId {@code source.txId}
 * @param canonicalKey the record key (primary key columns) as canonical JSON, see
 *     {@link EnvelopeDecoder}
 */
public record ChangeEnvelope(
    TableId table,
    Op op,
    Optional<ObjectNode> before,
    Optional<ObjectNode> after,
    long sourceTsMs,
    OptionalLong lsn,
    OptionalLong txId,
    String canonicalKey) {

  public ChangeEnvelope {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(after, "after");
    Objects.requireNonNull(lsn, "lsn");
    Objects.requireNonNull(txId, "txId");
    Objects.requireNonNull(canonicalKey, "canonicalKey");
  }

  /** True for rows read by a snapshot rather than streamed from the WAL. */
  public boolean snapshot() {
    return op == Op.READ;
  }

  /** The row as it is now: the after image, or the before image for a delete. */
  public Row row() {
    return op == Op.DELETE ? beforeRow().orElseThrow() : afterRow().orElseThrow();
  }

  /** The before image, when Debezium sent one. */
  public Optional<Row> beforeRow() {
    return before.map(node -> new Row(node, "before row of " + table));
  }

  /** The after image, absent for deletes. */
  public Optional<Row> afterRow() {
    return after.map(node -> new Row(node, "after row of " + table));
  }

  /** Where the change came from, as carried by every event. */
  public SourcePosition position() {
    return Position.of(this).toAvro();
  }

  /** The identity of this change, equal for a redelivery of it; see {@link EventIds#changeId}. */
  public String changeId() {
    return EventIds.changeId(this);
  }

  /** The deterministic id of the event of this type derived from this change. */
  public String eventId(final String eventType) {
    return EventIds.of(this, eventType);
  }
}
