package io.tidewire.processor.internals;

import io.tidewire.processor.OwnedTable;
import io.tidewire.schemas.avro.UserEvent;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns changes of one user-owned table into user events keyed by the owner. The owner is read
 * from the row after the change (before it, for a delete), so an update that changes the owner
 * goes to the new owner only. Thread-safe (stateless).
 */
public final class UserEventMapper {

  private final OwnedTable table;
  private final UserDataMapper dataMapper;

  public UserEventMapper(final OwnedTable table) {
    this.table = Objects.requireNonNull(table, "table");
    this.dataMapper = UserDataMapper.forTable(table);
  }

  /**
   * Maps one change.
   *
   * @return the event for the owner, or empty when the change yields none
   * @throws DecodeException when the row lacks the owner or the columns of the event type
   */
  public Optional<Routed.ToUser> map(final ChangeEnvelope change) {
    return dataMapper.map(change).map(data -> {
      final String owner = change.row().ownerId(table.ownerColumn());
      final UserEvent event = UserEvent.newBuilder()
          .setId(change.eventId(data.type()))
          .setUserId(owner)
          .setType(data.type())
          .setTs(change.sourceTsMs())
          .setSource(change.position())
          .setData(data.data())
          .build();
      return new Routed.ToUser(owner, event);
    });
  }
}
