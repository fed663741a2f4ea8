package io.tidewire.processor.internals;

import io.tidewire.processor.OwnedTable;
import io.tidewire.schemas.avro.UserEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns changes of one user-owned table into user events keyed by the owner. The owner is read
 * from the row after the change (before it, for a delete), so an update that changes the owner
 * goes to the new owner only. Thread-safe (stateless).
 */
public final class UserEventMapper implements ChangeMapper {

  private final OwnedTable table;
  private final UserDataMapper dataMapper;

  public UserEventMapper(final OwnedTable table) {
    this.table = Objects.requireNonNull(table, "table");
    this.dataMapper = UserDataMapper.forTable(table);
  }

  /**
   * Maps one change.
   *
   * @return the events for the owner, in order; none when the change yields none
   * @throws DecodeException when the row lacks the owner or the columns of the event type
   */
  @Override
  public List<Routed.ToUser> map(final ChangeEnvelope change) {
    final List<UserData> payloads = dataMapper.map(change);
    if (payloads.isEmpty()) {
      return List.of();
    }
    final String owner = change.row().ownerId(table.ownerColumn());
    final List<Routed.ToUser> events = new ArrayList<>(payloads.size());
    for (final UserData data : payloads) {
      events.add(new Routed.ToUser(owner, UserEvent.newBuilder()
          .setId(change.eventId(data.type()))
          .setUserId(owner)
          .setType(data.type())
          .setTs(change.sourceTsMs())
          .setSource(change.position())
          .setData(data.data())
          .build()));
    }
    return events;
  }
}
