package io.tidewire.gateway.recovery;

/**
 * The readable range of a partition, as a replay finds it.
 *
 * @param start the log start offset (older records were deleted by retention)
 * @param end the end offset a committed-only reader sees (the last stable offset)
 */
public record LogRange(long start, long end) {}
