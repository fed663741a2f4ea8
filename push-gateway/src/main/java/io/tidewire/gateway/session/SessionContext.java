package io.tidewire.gateway.session;

import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.auth.JwtVerifier;
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
 */
public record SessionContext(Hub hub, Recovery recovery, JwtVerifier verifier, GatewayMetrics metrics,
    ScheduledExecutorService timer, Clock clock, int maxFrameBytes, int queueMessages,
    long queueBytes, Duration closeGrace, Duration recoveryTimeout) {

  public SessionContext {
    Objects.requireNonNull(hub, "hub");
    Objects.requireNonNull(recovery, "recovery");
    Objects.requireNonNull(verifier, "verifier");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(timer, "timer");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(closeGrace, "closeGrace");
    Objects.requireNonNull(recoveryTimeout, "recoveryTimeout");
  }
}
