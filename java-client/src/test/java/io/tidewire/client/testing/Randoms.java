package io.tidewire.client.testing;

import java.util.random.RandomGenerator;

/** Random sources that make jittered delays predictable. */
public final class Randoms {

  private Randoms() {}

  /** Always the largest value allowed, so a full-jitter delay equals its ceiling. */
  public static final RandomGenerator HIGHEST = new RandomGenerator() {
    @Override
    public long nextLong() {
      return Long.MAX_VALUE;
    }

    @Override
    public long nextLong(final long origin, final long bound) {
      return bound - 1;
    }
  };
}
