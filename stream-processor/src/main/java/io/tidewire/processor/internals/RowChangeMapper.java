package io.tidewire.processor.internals;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.tidewire.processor.TableId;
import io.tidewire.schemas.avro.RowChange;
import java.util.Objects;
import java.util.List;

/**
 * The generic mapping for user-owned tables without a dedicated event type: every change,
 * deletes included, becomes a {@code row.<table>} event whose {@link RowChange#getRow() row} is
 * the row after the change (before it, for a delete) as a JSON object, columns in table order.
 * Thread-safe (stateless).
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
    final String json;
    try {
      json = EnvelopeDecoder.JSON.writeValueAsString(change.row().node());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a parsed JSON tree", e);
    }
    return List.of(new UserData(type, RowChange.newBuilder()
        .setTable(table.qualified())
        .setOp(change.op().label())
        .setRow(json)
        .build()));
  }
}
