package io.tidewire.processor.internals;

import io.tidewire.processor.OwnedTable;
import io.tidewire.schemas.avro.UserEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The role of a generation or training job table when the user state is on: turns each change
 * into {@link UserStateInput}s for the user-state fold, keyed by the owner, carrying the owner's
 * user events of the same change ({@link UserEventMapper}), which the fold sends together with
 * the new state. The state input is the job as it is now while its status is {@code waiting} or
 * {@code active}, else (completed, failed, deleted) that it ended. An update that moves the job to
 * another owner also ends it for the previous one. Reads the columns of
 * {@link GenerationProgressMapper} (id, kind, status, progress) and {@link TrainingProgressMapper}
 * (id, status, step, total_steps). Thread-safe (stateless).
 */
public final class JobStateMapper implements ChangeMapper {

  /** The job kinds of the user state, from the event type of an owned table. */
  public enum Kind {
    GENERATION("generation"),
    TRAINING("training");

    private final String label;

    Kind(final String label) {
      this.label = label;
    }

    /** {@code generation} | {@code training}, as in {@code ActiveJob.kind}. */
    public String label() {
      return label;
    }

    /** The kind of jobs an owned table holds, by its event type; empty for other tables. */
    public static Optional<Kind> of(final OwnedTable table) {
      final String type = table.eventType().orElse("");
      if (type.equals(GenerationProgressMapper.TYPE)) {
        return Optional.of(GENERATION);
      }
      return type.equals(TrainingProgressMapper.TYPE) ? Optional.of(TRAINING) : Optional.empty();
    }
  }

  private final OwnedTable table;
  private final Kind kind;
  private final UserEventMapper events;

  public JobStateMapper(final OwnedTable table, final Kind kind) {
    this.table = Objects.requireNonNull(table, "table");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.events = new UserEventMapper(table);
  }

  @Override
  public List<Routed.ToUserState> map(final ChangeEnvelope change) {
    final Row row = change.row();
    final String owner = row.ownerId(table.ownerColumn());
    final String jobId = row.requireText("id");
    final long ts = change.sourceTsMs();
    final List<UserEvent> ownerEvents = new ArrayList<>(2);
    for (final Routed.ToUser event : events.map(change)) {
      ownerEvents.add(event.event());
    }
    final List<Routed.ToUserState> out = new ArrayList<>(2);
    previousOwner(change).filter(previous -> !previous.equals(owner)).ifPresent(previous -> out.add(
        new Routed.ToUserState(previous, new UserStateInput.JobEnded(jobId, ts), List.of())));
    final Optional<String> status = change.op() == Op.DELETE
        ? Optional.empty() : Optional.of(row.requireText("status"));
    final UserStateInput input = status.isPresent() && UserStateValue.unfinished(status.get())
        ? new UserStateInput.JobActive(job(row, jobId, status.get(), ts))
        : new UserStateInput.JobEnded(jobId, ts);
    out.add(new Routed.ToUserState(owner, input, ownerEvents));
    return out;
  }

  private UserStateValue.Job job(final Row row, final String jobId, final String status, final long ts) {
    if (kind == Kind.GENERATION) {
      final int progress = Math.max(0, Math.min(100, row.intOr("progress", 0)));
      return new UserStateValue.Job(jobId, kind.label(), Optional.of(row.requireText("kind")), status,
          progress, Optional.empty(), Optional.empty(), ts);
    }
    final int step = row.intOr("step", 0);
    final int totalSteps = row.intOr("total_steps", 0);
    return new UserStateValue.Job(jobId, kind.label(), Optional.empty(), status,
        TrainingProgressMapper.progress(status, step, totalSteps), Optional.of(step),
        Optional.of(totalSteps), ts);
  }

  /** The owner before an update, when the before image names one. */
  private Optional<String> previousOwner(final ChangeEnvelope change) {
    if (change.op() != Op.UPDATE) {
      return Optional.empty();
    }
    final Optional<Row> before = change.beforeRow();
    if (before.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(before.get().ownerId(table.ownerColumn()));
    } catch (DecodeException e) {
      // an old image without a usable owner: nothing to take the job away from
      return Optional.empty();
    }
  }
}
