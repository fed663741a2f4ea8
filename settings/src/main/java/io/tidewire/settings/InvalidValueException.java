package io.tidewire.settings;

import java.util.ArrayList;
import java.util.List;

/**
 * A variable's text is not a valid value. Thrown by {@link Parser}s and checks; the
 * {@link SettingsReader} turns it into problem lines that start with the variable's name, so a
 * parser never needs to know which variable it reads.
 */
public final class InvalidValueException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Each detail is the text that follows the variable's name in a problem line. */
  private final List<String> details;

  private InvalidValueException(final List<String> details) {
    super(String.join("; ", details));
    this.details = List.copyOf(details);
  }

  /**
   * The value is not what the variable takes: {@code NAME must be <expected>, got <got>}.
   *
   * @param expected what the variable takes, e.g. {@code 1..65535}
   * @param got what it got, already quoted if it is the text itself
   */
  public static InvalidValueException mustBe(final String expected, final String got) {
    return new InvalidValueException(List.of(" must be " + expected + ", got " + got));
  }

  /** A reason in the parser's own words: {@code NAME: <reason>}. */
  public static InvalidValueException because(final String reason) {
    return new InvalidValueException(List.of(": " + reason));
  }

  /** Several problems of one value (e.g. of several list entries), reported one per line. */
  static InvalidValueException all(final List<InvalidValueException> problems) {
    final List<String> details = new ArrayList<>();
    problems.forEach(p -> details.addAll(p.details));
    return new InvalidValueException(details);
  }

  /** {@code 'text'}: how a value the user wrote is quoted in problem lines. */
  public static String quote(final String text) {
    return "'" + text + "'";
  }

  /** The problem lines for {@code variable}. */
  List<String> problemsOf(final String variable) {
    return details.stream().map(d -> variable + d).toList();
  }
}
