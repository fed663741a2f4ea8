package io.tidewire.gateway.session;

import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.broadcast.Channels;
import io.tidewire.gateway.broadcast.LocalChannels;
import io.tidewire.gateway.protocol.CursorCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every {@link ClientSession} of one gateway shares.
 *
 * @param hub sessions and subscriptions
 * @param recovery replays and snapshots for subscriptions that resume
 * @param verifier checks tokens of {@code auth} ops
 * @param metrics meters
 * @param timer runs token expiry, replay stall and close deadlines (daemon threads)
 * @param clock time source
 * @param maxFrameBytes largest accepted client frame (UTF-8 bytes); larger ones close with 1009
 * @param queueMessages bound of each session's send queue, in frames
 * @param queueBytes bound of each session's send queue, in bytes
 * @param closeGrace how long a closing session may take to flush its last frames, and how long
 *     after the close frame the socket of a client that does not read is aborted
 * @param recoveryTimeout how long a replay may go without progress, or wait for the client to make
 *     room in its queue
 * @param frameLimits how fast a client may send frames, and when it is closed for sending faster
 * @param replaysPerSession most replays one session may have admitted at a time
 * @param maxScanRecords most records a resume may be behind the log's end and still replay
 * @param cursors writes and reads the deployment's signed cursors
 * @param channels broadcast and presence
 */
public record SessionContext(Hub hub, Recovery recovery, JwtVerifier verifier, GatewayMetrics metrics,
    ScheduledExecutorService timer, Clock clock, int maxFrameBytes, int queueMessages,
    long queueBytes, Duration closeGrace, Duration recoveryTimeout, FrameBudget.Limits frameLimits,
    int replaysPerSession, long maxScanRecords, CursorCodec cursors, Channels channels) {

  /** The client-frame limits unless configured otherwise: 20 frames/s, bursts of 50, 100 refusals in 10 s. */
  public static final FrameBudget.Limits DEFAULT_FRAME_LIMITS =
      new FrameBudget.Limits(20, 50, 100, Duration.ofSeconds(10));
  /** Replays a session may have admitted at a time unless configured otherwise: one per channel. */
  public static final int DEFAULT_REPLAYS_PER_SESSION = 2;

  /** Records a resume may be behind the log's end unless configured otherwise. */
  public static final long DEFAULT_MAX_SCAN_RECORDS = 100_000;

  /** A context whose broadcast and presence stay in this process ({@link LocalChannels}, default rules and limits). */
  public SessionContext(final Hub hub, final Recovery recovery, final JwtVerifier verifier,
      final GatewayMetrics metrics, final ScheduledExecutorService timer, final Clock clock,
      final int maxFrameBytes, final int queueMessages, final long queueBytes,
      final Duration closeGrace, final Duration recoveryTimeout, final FrameBudget.Limits frameLimits,
      final int replaysPerSession, final long maxScanRecords, final CursorCodec cursors) {
    this(hub, recovery, verifier, metrics, timer, clock, maxFrameBytes, queueMessages, queueBytes,
        closeGrace, recoveryTimeout, frameLimits, replaysPerSession, maxScanRecords, cursors,
        LocalChannels.defaults());
  }

  /** A context with the default client-frame, replay and scan limits and {@code cursors}. */
  public SessionContext(final Hub hub, final Recovery recovery, final JwtVerifier verifier,
      final GatewayMetrics metrics, final ScheduledExecutorService timer, final Clock clock,
      final int maxFrameBytes, final int queueMessages, final long queueBytes,
      final Duration closeGrace, final Duration recoveryTimeout, final CursorCodec cursors) {
    this(hub, recovery, verifier, metrics, timer, clock, maxFrameBytes, queueMessages, queueBytes,
        closeGrace, recoveryTimeout, DEFAULT_FRAME_LIMITS, DEFAULT_REPLAYS_PER_SESSION,
        DEFAULT_MAX_SCAN_RECORDS, cursors);
  }

  public SessionContext {
    Objects.requireNonNull(hub, "hub");
    Objects.requireNonNull(recovery, "recovery");
    Objects.requireNonNull(verifier, "verifier");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(timer, "timer");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(closeGrace, "closeGrace");
    Objects.requireNonNull(recoveryTimeout, "recoveryTimeout");
    Objects.requireNonNull(frameLimits, "frameLimits");
    Objects.requireNonNull(cursors, "cursors");
    Objects.requireNonNull(channels, "channels");
    if (replaysPerSession < 1 || maxScanRecords < 1) {
      throw new IllegalArgumentException("replaysPerSession and maxScanRecords must be positive");
    }
  }
}
