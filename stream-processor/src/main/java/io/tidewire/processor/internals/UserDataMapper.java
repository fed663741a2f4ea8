package io.tidewire.processor.internals;

import io.tidewire.processor.OwnedTable;
import java.util.List;

/**
 * Turns a change of a user-owned row into the payload of a user event. Implementations are
 * stateless and thread-safe.
 */
@FunctionalInterface
public interface UserDataMapper {

  /**
   * Maps one change.
   *
   * @return the event payloads, in order (none when this change yields no event; a second one
   *     when it also causes a notification)
   * @throws DecodeException when the row does not have the columns the mapper needs
   */
  List<UserData> map(ChangeEnvelope change);

  /**
   * The mapper for an owned table: a dedicated one for event types that have one
   * ({@link GenerationProgressMapper#TYPE}, {@link TrainingProgressMapper#TYPE}), else the generic
   * {@link RowChangeMapper}.
   */
  static UserDataMapper forTable(final OwnedTable table) {
    final String type = table.eventType().orElse("");
    switch (type) {
      case GenerationProgressMapper.TYPE:
        return new GenerationProgressMapper();
      case TrainingProgressMapper.TYPE:
        return new TrainingProgressMapper();
      default:
        return new RowChangeMapper(table.table());
    }
  }

  /** True when {@link #forTable} has a dedicated mapper for the table's event type. */
  static boolean hasDedicatedMapper(final OwnedTable table) {
    return !(forTable(table) instanceof RowChangeMapper);
  }
}
