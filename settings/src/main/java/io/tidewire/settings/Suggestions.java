package io.tidewire.settings;

import java.util.Optional;

/** "Did you mean": the known variable nearest to a misspelt one, by edit distance. */
final class Suggestions {

  private Suggestions() {}

  /**
   * The known name or family member nearest to {@code variable}, if near enough to be a typo.
   *
   * @param maxDistance the largest edit distance still taken for a typo
   */
  static Optional<Candidate> nearest(final String variable, final SettingGroup known, final int maxDistance) {
    Candidate best = null;
    for (final String name : known.names()) {
      best = better(variable, best, new Candidate(name, distance(variable, name)));
    }
    for (final PassThrough family : known.passThroughs()) {
      final String prefix = family.prefix();
      if (variable.length() > prefix.length()) {
        // a typo in the prefix: compare the prefix-long head only
        final String head = variable.substring(0, prefix.length());
        final String spelt = prefix + variable.substring(prefix.length());
        best = better(variable, best, new Candidate(spelt, distance(head, prefix)));
      }
    }
    return Optional.ofNullable(best).filter(c -> c.distance() <= maxDistance);
  }

  /** How far a name may be from a known one and still count as its typo. */
  static int typoDistance(final String variable) {
    return Math.max(2, variable.length() / 6);
  }

  /**
   * The nearer of the two, on a tie the one sharing the longer start with the variable (the end
   * of a name is where typos and forgotten units are); distance 0 is the variable itself (a
   * family member), no suggestion.
   */
  private static Candidate better(final String variable, final Candidate best, final Candidate next) {
    if (next.distance() == 0) {
      return best;
    }
    if (best == null || next.distance() < best.distance()) {
      return next;
    }
    return next.distance() == best.distance() && commonStart(variable, next.name()) > commonStart(variable, best.name())
        ? next : best;
  }

  private static int commonStart(final String a, final String b) {
    int i = 0;
    while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }

  /** Levenshtein distance: insertions, deletions and substitutions. */
  static int distance(final String a, final String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      final int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** A known variable and how far the misspelt one is from it. */
  record Candidate(String name, int distance) {}
}
