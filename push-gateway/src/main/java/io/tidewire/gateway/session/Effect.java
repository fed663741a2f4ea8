package io.tidewire.gateway.session;

import io.tidewire.gateway.auth.Principal;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import io.tidewire.gateway.protocol.Reply;
import io.tidewire.gateway.recovery.ResumePlan;
import io.tidewire.gateway.broadcast.BroadcastMessage;
import io.tidewire.gateway.presence.Presence;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the {@link SessionCore} asks its owner ({@link ClientSession}) to do after an input. The
 * core decides; the owner applies, in order, and turns answers (a replay read, a snapshot, a timer,
 * room in the queue) into further inputs. Nothing here is protocol-specific: replies are
 * {@link Reply}s, written as frames by the owner's codec.
 *
 * <p>Immutable values.
 */
public sealed interface Effect {

  /** How a delivered event is queued. */
  enum Flow {
    /** A live event: a full queue means a slow consumer. */
    LIVE,
    /** A replayed (or merged-in buffered) event: the core sized these to the queue's room. */
    REPLAYED
  }

  /** Something the core wants to hear about later, through {@link SessionCore#timer}. */
  sealed interface Timer {
    /** At most one timer per slot is armed; arming one replaces the previous one of its slot. */
    Object slot();

    /**
     * The token of {@code armed} expires (plus the allowed clock skew).
     *
     * @param armed the principal whose expiry this is; a later {@code auth} replaces it
     */
    record Expiry(Principal armed) implements Timer {
      private static final Object SLOT = new Object();

      public Expiry {
        Objects.requireNonNull(armed, "armed");
      }

      @Override
      public Object slot() {
        return SLOT;
      }
    }

    /**
     * A parked replay waited too long for room in the queue.
     *
     * @param id the subscription
     * @param token the parking it ends (a later parking has another)
     */
    record Stall(SubscriptionId id, long token) implements Timer {
      public Stall {
        Objects.requireNonNull(id, "id");
      }

      @Override
      public Object slot() {
        return id;
      }
    }
  }

  /** Queue a control frame; a full queue makes the session a slow consumer. */
  record Send(Reply reply) implements Effect {
    public Send {
      Objects.requireNonNull(reply, "reply");
    }
  }

  /** Queue an event frame. */
  record Deliver(EncodedEvent event, Flow flow) implements Effect {
    public Deliver {
      Objects.requireNonNull(event, "event");
      Objects.requireNonNull(flow, "flow");
    }
  }

  /**
   * End the session: the error goes out after what is queued (or instead of it), then the close;
   * the owner reports {@link SessionCore#close} once the queue drained or the grace period passed.
   */
  record Terminate(ErrorCode code, String message, CloseCode close, boolean dropPending)
      implements Effect {
    public Terminate {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(close, "close");
    }
  }

  /** Close the connection now (and abort it if it is still open after the grace period). */
  record Close(CloseCode code) implements Effect {
    public Close {
      Objects.requireNonNull(code, "code");
    }
  }

  /** Stop routing the channel's live events to this session, if still filed under {@code id}. */
  record Leave(SubscriptionId id) implements Effect {
    public Leave {
      Objects.requireNonNull(id, "id");
    }
  }

  /** The connection is gone: leave the hub altogether and drop the send queue. */
  record Forget() implements Effect {}

  /**
   * Admit a replay and start it with {@code check}; if it is not admitted, report
   * {@link SessionCore#replayRejected} at once.
   */
  record StartReplay(ReplayRead.Check check) implements Effect {
    public StartReplay {
      Objects.requireNonNull(check, "check");
    }
  }

  /** Have a replay worker perform {@code read}; its result comes back as an input. */
  record Read(ReplayRead read) implements Effect {
    public Read {
      Objects.requireNonNull(read, "read");
    }
  }

  /** An admitted replay ended: release its admission. */
  record EndReplay(SubscriptionId id, Replays.Outcome outcome, Duration took) implements Effect {
    public EndReplay {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(took, "took");
    }
  }

  /** Take a snapshot of the session user's state; its answer comes back as an input. */
  record TakeSnapshot(SubscriptionId id) implements Effect {
    public TakeSnapshot {
      Objects.requireNonNull(id, "id");
    }
  }

  /** Report {@link SessionCore#room} once the queue is at most half full (or closed). */
  record AwaitRoom(SubscriptionId id, long token) implements Effect {
    public AwaitRoom {
      Objects.requireNonNull(id, "id");
    }
  }

  /** Arm {@code timer} after {@code delay}, replacing the one armed in its slot. */
  record Schedule(Timer timer, Duration delay) implements Effect {
    public Schedule {
      Objects.requireNonNull(timer, "timer");
      Objects.requireNonNull(delay, "delay");
    }
  }

  /** Disarm the timer of {@code timer}'s slot, if any. */
  record Cancel(Timer timer) implements Effect {
    public Cancel {
      Objects.requireNonNull(timer, "timer");
    }
  }

  /** A client's cursor could not be resumed from (for metrics and logs). */
  record Unrecoverable(ResumePlan.Reason reason) implements Effect {
    public Unrecoverable {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Store a broadcast; once stored, report {@link SessionCore#published} (with {@code ack}), or
   * {@link SessionCore#requestFailed} if it was not.
   */
  record Publish(BroadcastMessage message, String ref, boolean ack) implements Effect {
    public Publish {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(ref, "ref");
    }
  }

  /**
   * Store a presence, removing {@code replaced}; report the outcome through
   * {@link SessionCore#trackEnded}.
   */
  record Track(Presence presence, Optional<Presence> replaced, String ref) implements Effect {
    public Track {
      Objects.requireNonNull(presence, "presence");
      Objects.requireNonNull(replaced, "replaced");
      Objects.requireNonNull(ref, "ref");
    }
  }

  /**
   * Remove a presence; with a ref, report {@link SessionCore#untracked} once stored (or
   * {@link SessionCore#requestFailed}).
   */
  record Untrack(Presence presence, Optional<String> ref) implements Effect {
    public Untrack {
      Objects.requireNonNull(presence, "presence");
      Objects.requireNonNull(ref, "ref");
    }
  }

  /** Stop delivering a broadcast/presence channel's messages and diffs to this session. */
  record LeaveChannel(String channel) implements Effect {
    public LeaveChannel {
      Objects.requireNonNull(channel, "channel");
    }
  }

  /** A broadcast/presence request was refused, for the reason's metric (see GatewayMetrics). */
  record Refused(String reason) implements Effect {
    public Refused {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
