package io.tidewire.processor.internals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidewire.processor.TableId;
import io.tidewire.schemas.avro.RowChange;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The generic mapping of a user-owned table's change: every change, deletes included, becomes a
 * {@code row.<table>} event whose {@link RowChange#getRow() row} is the row after the change
 * (before it, for a delete) and whose {@link RowChange#getOld() old} is the whole row before the
 * change (updates and deletes), each a JSON object, columns in table order. Thread-safe
 * (stateless).
 */
public final class RowChangeMapper implements UserDataMapper {

  private final TableId table;
  private final String type;

  public RowChangeMapper(final TableId table) {
    this.table = Objects.requireNonNull(table, "table");
    this.type = typeOf(table);
  }

  /** {@code row.<table>}, e.g. {@code row.credit_transactions}. */
  public static String typeOf(final TableId table) {
    return "row." + table.table();
  }

  @Override
  public List<UserData> map(final ChangeEnvelope change) {
    return List.of(new UserData(type, of(change)));
  }

  /**
   * The change as it happened: its op, the row after it (before it, for a delete), and the row
   * before it for updates and deletes.
   */
  static RowChange of(final ChangeEnvelope change) {
    final boolean hasOld = change.op() == Op.UPDATE || change.op() == Op.DELETE;
    return of(change.table(), change.op(), change.row().node(),
        hasOld ? change.before() : Optional.empty());
  }

  /**
   * A change as someone sees it who saw only part of the table (public rows): {@code op} may
   * differ from the change's own, e.g. a public row made private is a delete.
   *
   * @param row the row after the change as seen (before it, for a delete)
   * @param old the row before the change, if the op has one
   */
  static RowChange of(final TableId table, final Op op, final ObjectNode row,
      final Optional<ObjectNode> old) {
    return RowChange.newBuilder()
        .setTable(table.qualified())
        .setOp(op.label())
        .setRow(json(row))
        .setOld(old.map(RowChangeMapper::json).orElse(null))
        .build();
  }

  /** The row as a JSON object string, columns in table order. */
  static String json(final ObjectNode node) {
    try {
      return EnvelopeDecoder.JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a parsed JSON tree", e);
    }
  }
}
