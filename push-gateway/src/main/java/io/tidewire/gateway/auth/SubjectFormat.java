package io.tidewire.gateway.auth;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a token's {@code sub} (the user id) must look like: {@code uuid} (the default: a UUID in
 * its 8-4-4-4-12 hex form, any case), {@code any} (any non-blank text), or {@code regex:<pattern>}
 * (the whole {@code sub} must match the Java regular expression).
 *
 * <p>Immutable and thread-safe; equal when spelled alike.
 */
public final class SubjectFormat {

  /** A UUID, as Supabase and most auth servers put in {@code sub}. */
  public static final SubjectFormat UUID = new SubjectFormat("uuid",
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"));
  /** Any non-blank text. */
  public static final SubjectFormat ANY = new SubjectFormat("any", Pattern.compile("(?s).*\\S.*"));

  private static final String REGEX = "regex:";

  private final String spelling;
  private final Pattern pattern;

  private SubjectFormat(final String spelling, final Pattern pattern) {
    this.spelling = spelling;
    this.pattern = pattern;
  }

  /**
   * Reads {@code uuid}, {@code any} or {@code regex:<pattern>}.
   *
   * @throws IllegalArgumentException if it is none of these, or the pattern does not compile
   */
  public static SubjectFormat parse(final String text) {
    final String lower = text.toLowerCase(Locale.ROOT);
    if (lower.equals(UUID.spelling)) {
      return UUID;
    }
    if (lower.equals(ANY.spelling)) {
      return ANY;
    }
    if (lower.startsWith(REGEX) && text.length() > REGEX.length()) {
      try {
        return new SubjectFormat(REGEX + text.substring(REGEX.length()),
            Pattern.compile(text.substring(REGEX.length())));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("an invalid regular expression: " + e.getDescription());
      }
    }
    throw new IllegalArgumentException("uuid, any or regex:<pattern>, got '" + text + "'");
  }

  /** Whether {@code subject} has this format. */
  public boolean accepts(final String subject) {
    return pattern.matcher(subject).matches();
  }

  @Override
  public boolean equals(final Object other) {
    return other instanceof SubjectFormat that && spelling.equals(that.spelling);
  }

  @Override
  public int hashCode() {
    return Objects.hash(spelling);
  }

  /** As written in {@code TIDEWIRE_JWT_SUBJECT_FORMAT}. */
  @Override
  public String toString() {
    return spelling;
  }
}
