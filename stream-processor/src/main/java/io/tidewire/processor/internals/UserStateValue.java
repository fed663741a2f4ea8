package io.tidewire.processor.internals;

import io.tidewire.schemas.avro.ActiveJob;
import io.tidewire.schemas.avro.UserState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One user's current state as the user-state fold keeps it (the value of its store), and the
 * fold as pure functions over it. Every input carries absolute values, so each field is last write
 * wins: applying an input twice gives the same state. Immutable; every step returns a new value
 * (or this one, when nothing changes).
 *
 * @param balance the balance, once a change of the user's row was seen
 * @param balanceLsn the LSN of the row change the balance comes from, when it had one
 * @param activeJobs waiting and active jobs, in the order they were first seen; at most
 *     {@value #MAX_ACTIVE_JOBS}
 * @param updatedAt commit time of the latest change folded in, epoch milliseconds
 */
public record UserStateValue(Optional<Long> balance, Optional<Long> balanceLsn, List<Job> activeJobs,
    long updatedAt) {

  /** Nothing known yet. */
  public static final UserStateValue EMPTY =
      new UserStateValue(Optional.empty(), Optional.empty(), List.of(), 0);

  /**
   * Most unfinished jobs a state holds. Every change writes the whole state (store changelog and
   * {@code realtime.user-state}), so it must stay small: a user who queues thousands of jobs would
   * otherwise make each change write megabytes, and past Kafka's 1 MiB record limit stop the
   * task. A job that finds the list full is left out until a change of it finds room.
   */
  public static final int MAX_ACTIVE_JOBS = 100;

  static final String WAITING = "waiting";
  static final String ACTIVE = "active";

  public UserStateValue {
    Objects.requireNonNull(balance, "balance");
    Objects.requireNonNull(balanceLsn, "balanceLsn");
    activeJobs = List.copyOf(activeJobs);
  }

  /**
   * A job that has not finished, as the last change of its row left it.
   *
   * @param jobId its id
   * @param kind {@code generation} or {@code training}
   * @param generationKind {@code image} or {@code video}, for generation jobs
   * @param status {@code waiting} or {@code active}
   * @param progress 0..100
   * @param step training jobs only
   * @param totalSteps training jobs only
   * @param updatedAt commit time of that change, epoch milliseconds
   */
  public record Job(String jobId, String kind, Optional<String> generationKind, String status,
      int progress, Optional<Integer> step, Optional<Integer> totalSteps, long updatedAt) {
    public Job {
      Objects.requireNonNull(jobId, "jobId");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(generationKind, "generationKind");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(totalSteps, "totalSteps");
    }

    ActiveJob toAvro() {
      return ActiveJob.newBuilder()
          .setJobId(jobId)
          .setKind(kind)
          .setGenerationKind(generationKind.orElse(null))
          .setStatus(status)
          .setProgress(progress)
          .setStep(step.orElse(null))
          .setTotalSteps(totalSteps.orElse(null))
          .setUpdatedAt(updatedAt)
          .build();
    }
  }

  /** True for the statuses of a job that belongs in {@link #activeJobs}. */
  static boolean unfinished(final String status) {
    return WAITING.equals(status) || ACTIVE.equals(status);
  }

  /**
   * The state after {@code input}; the user's deletion is not a state and is handled by the
   * caller.
   *
   * @throws IllegalArgumentException for {@link UserStateInput.UserDeleted}
   */
  public UserStateValue apply(final UserStateInput input) {
    if (input instanceof UserStateInput.Balance b) {
      return withBalance(b.balance(), b.lsn(), b.ts());
    }
    if (input instanceof UserStateInput.JobActive j) {
      return withJob(j.job());
    }
    if (input instanceof UserStateInput.JobEnded e) {
      return withoutJob(e.jobId(), e.ts());
    }
    throw new IllegalArgumentException("not a state change: " + input);
  }

  /**
   * The balance is {@code value} since {@code ts}; unchanged when it already was, or when the
   * balance known comes from the same or a later row change (a balance arrives twice, from the row
   * and from its {@code credits.updated}, on different paths and so in either order).
   */
  UserStateValue withBalance(final long value, final Optional<Long> lsn, final long ts) {
    if (lsn.isPresent() && balanceLsn.isPresent() && lsn.get() <= balanceLsn.get()) {
      return this;
    }
    if (balance.isPresent() && balance.get() == value) {
      return this;
    }
    return new UserStateValue(Optional.of(value), lsn, activeJobs, Math.max(updatedAt, ts));
  }

  /**
   * The job, replacing its earlier version in place, or appended while there are fewer than
   * {@value #MAX_ACTIVE_JOBS}.
   */
  UserStateValue withJob(final Job job) {
    final List<Job> jobs = new ArrayList<>(activeJobs);
    final int at = indexOf(job.jobId());
    if (at >= 0) {
      if (jobs.get(at).equals(job)) {
        return this;
      }
      jobs.set(at, job);
    } else if (jobs.size() < MAX_ACTIVE_JOBS) {
      jobs.add(job);
    } else {
      return this;
    }
    return new UserStateValue(balance, balanceLsn, jobs, Math.max(updatedAt, job.updatedAt()));
  }

  /** Without the job; unchanged when it is not there. */
  UserStateValue withoutJob(final String jobId, final long ts) {
    final int at = indexOf(jobId);
    if (at < 0) {
      return this;
    }
    final List<Job> jobs = new ArrayList<>(activeJobs);
    jobs.remove(at);
    return new UserStateValue(balance, balanceLsn, jobs, Math.max(updatedAt, ts));
  }

  private int indexOf(final String jobId) {
    for (int i = 0; i < activeJobs.size(); i++) {
      if (activeJobs.get(i).jobId().equals(jobId)) {
        return i;
      }
    }
    return -1;
  }

  /** The record of {@code realtime.user-state}. */
  public UserState toAvro(final String userId) {
    final List<ActiveJob> jobs = new ArrayList<>(activeJobs.size());
    activeJobs.forEach(job -> jobs.add(job.toAvro()));
    return UserState.newBuilder()
        .setUserId(userId)
        .setBalance(balance.orElse(null))
        .setActiveJobs(jobs)
        .setUpdatedAt(updatedAt)
        .build();
  }
}
