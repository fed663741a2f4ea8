package io.tidewire.gateway.protocol;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which event types a subscription wants, as a list of globs: {@code *} matches any run of
 * characters (dots included), every other character matches itself. {@code generation.*} matches
 * {@code generation.progress}; {@code *} matches everything. An event passes if any glob matches.
 *
 * <p>Immutable and thread-safe.
 */
public final class TypeFilter {

  /** Most globs one subscription may list. */
  public static final int MAX_GLOBS = 32;
  /** Longest glob accepted. */
  public static final int MAX_GLOB_LENGTH = 100;

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:*-]+");
  private static final TypeFilter ALL = new TypeFilter(List.of());

  private final List<String> globs;

  private TypeFilter(final List<String> globs) {
    this.globs = globs;
  }

  /** The filter that passes every type. */
  public static TypeFilter all() {
    return ALL;
  }

  /**
   * A filter from globs.
   *
   * @return the filter, or empty with nothing to say why when a glob is invalid; use
   *     {@link #problem(List)} for the reason
   */
  public static Optional<TypeFilter> of(final List<String> globs) {
    return problem(globs).isPresent() ? Optional.empty() : Optional.of(new TypeFilter(List.copyOf(globs)));
  }

  /** Why {@code globs} is not a valid filter, or empty if it is. */
  public static Optional<String> problem(final List<String> globs) {
    if (globs.isEmpty()) {
      return Optional.of("types must list at least one pattern");
    }
    if (globs.size() > MAX_GLOBS) {
      return Optional.of("types may list at most " + MAX_GLOBS + " patterns");
    }
    for (final String glob : globs) {
      if (glob.length() > MAX_GLOB_LENGTH || !VALID.matcher(glob).matches()) {
        return Optional.of("invalid type pattern (letters, digits, . _ : - and * only, at most "
            + MAX_GLOB_LENGTH + " characters)");
      }
    }
    return Optional.empty();
  }

  /** Whether an event of {@code type} passes. */
  public boolean accepts(final String type) {
    if (globs.isEmpty()) {
      return true;
    }
    for (final String glob : globs) {
      if (matches(glob, type)) {
        return true;
      }
    }
    return false;
  }

  /** The globs; empty for {@link #all()}. */
  public List<String> globs() {
    return globs;
  }

  /** Glob match with {@code *} only, linear in practice (greedy with backtracking to the last star). */
  static boolean matches(final String glob, final String text) {
    int g = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length()) {
      if (g < glob.length() && glob.charAt(g) != '*' && glob.charAt(g) == text.charAt(t)) {
        g++;
        t++;
      } else if (g < glob.length() && glob.charAt(g) == '*') {
        star = g++;
        mark = t;
      } else if (star >= 0) {
        g = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }

  @Override
  public String toString() {
    return globs.isEmpty() ? "*" : String.join(",", globs);
  }
}
