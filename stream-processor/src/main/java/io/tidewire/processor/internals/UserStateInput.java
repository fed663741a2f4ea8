package io.tidewire.processor.internals;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;
import java.util.Optional;

/**
 * What the user-state fold reads, keyed by user id on its repartition topics: one change of what
 * a user's state shows, as absolute values (the balance now, the job as it is now), so folding a
 * change twice is harmless. Immutable; {@link InternalSerde} on the wire.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = UserStateInput.Balance.class, name = "balance"),
    @JsonSubTypes.Type(value = UserStateInput.UserDeleted.class, name = "user-deleted"),
    @JsonSubTypes.Type(value = UserStateInput.JobActive.class, name = "job-active"),
    @JsonSubTypes.Type(value = UserStateInput.JobEnded.class, name = "job-ended")})
public sealed interface UserStateInput {

  /** Commit time of the change, epoch milliseconds. */
  long ts();

  /**
   * The user's balance after a change of the user's row: inserted or read by a snapshot, or
   * changed (as told by its {@code credits.updated}).
   *
   * @param balance the balance
   * @param lsn the LSN of the row change, when it has one; a balance never replaces one of a
   *     later change
   * @param ts commit time
   */
  record Balance(long balance, Optional<Long> lsn, long ts) implements UserStateInput {
    public Balance {
      Objects.requireNonNull(lsn, "lsn");
    }
  }

  /**
   * The user's row was deleted: the state goes.
   *
   * @param ts commit time
   */
  record UserDeleted(long ts) implements UserStateInput {}

  /**
   * A job of the user is waiting or active, as it is after the change.
   *
   * @param job the job; its {@code updatedAt} is the commit time
   */
  record JobActive(UserStateValue.Job job) implements UserStateInput {
    public JobActive {
      Objects.requireNonNull(job, "job");
    }

    @Override
    public long ts() {
      return job.updatedAt();
    }
  }

  /**
   * A job of the user finished (completed, failed), was deleted, or moved to another user.
   *
   * @param jobId the job's id
   * @param ts commit time
   */
  record JobEnded(String jobId, long ts) implements UserStateInput {
    public JobEnded {
      Objects.requireNonNull(jobId, "jobId");
    }
  }
}
