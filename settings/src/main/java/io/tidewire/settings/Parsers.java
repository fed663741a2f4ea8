package io.tidewire.settings;

import static io.tidewire.settings.InvalidValueException.quote;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The parsers the parts' settings are made of. Each is pure and thread-safe. */
public final class Parsers {

  /** Value of a table-list variable meaning "none of this kind". */
  public static final String NONE = "none";

  /** {@code host:port}, the host a name, an IPv4 address or a bracketed IPv6 address. */
  private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[^\\s,:\\[\\]]+):(\\d{1,5})");
  private static final Pattern WHOLE_NUMBER = Pattern.compile("[-+]?\\d+");

  private Parsers() {}

  /** Any text. */
  public static Parser<String> text() {
    return text -> text;
  }

  /**
   * Text that matches {@code pattern} as a whole.
   *
   * @param expected what a match looks like, for the problem line
   */
  public static Parser<String> matching(final Pattern pattern, final String expected) {
    return text -> {
      if (!pattern.matcher(text).matches()) {
        throw InvalidValueException.mustBe(expected, quote(text));
      }
      return text;
    };
  }

  /** A whole number in {@code min..max}. */
  public static Parser<Integer> ints(final int min, final int max) {
    return longs(min, max).map(Long::intValue);
  }

  /** A whole number in {@code min..max}. */
  public static Parser<Long> longs(final long min, final long max) {
    return numbers(min, max, "");
  }

  /** A whole number of milliseconds in {@code min..max}. */
  public static Parser<Duration> millis(final long min, final long max) {
    return numbers(min, max, " ms").map(Duration::ofMillis);
  }

  /** A whole number of seconds in {@code min..max}. */
  public static Parser<Duration> seconds(final long min, final long max) {
    return numbers(min, max, " s").map(Duration::ofSeconds);
  }

  private static Parser<Long> numbers(final long min, final long max, final String unit) {
    // an open upper bound is Integer.MAX_VALUE or more
    final String range = (max >= Integer.MAX_VALUE ? "at least " + min : min + ".." + max) + unit;
    return text -> {
      final long value;
      try {
        value = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw InvalidValueException.mustBe(WHOLE_NUMBER.matcher(text).matches() ? range : "a whole number",
            quote(text));
      }
      if (value < min || value > max) {
        throw InvalidValueException.mustBe(range, quote(text));
      }
      return value;
    };
  }

  /** {@code true} or {@code false}, in any case. */
  public static Parser<Boolean> bools() {
    return text -> {
      if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(text);
      }
      throw InvalidValueException.mustBe("true or false", quote(text));
    };
  }

  /**
   * One of an enum's constants, by its spelling, in any case.
   *
   * @param spelling how a constant is written in the variable
   */
  public static <E extends Enum<E>> Parser<E> oneOf(final Class<E> type, final Function<E, String> spelling) {
    final List<E> values = Arrays.asList(type.getEnumConstants());
    return text -> values.stream().filter(v -> spelling.apply(v).equalsIgnoreCase(text)).findFirst()
        .orElseThrow(() -> InvalidValueException.mustBe("one of " + values.stream().map(spelling).toList(),
            quote(text)));
  }

  /**
   * Comma-separated entries, each trimmed, blank ones skipped; every invalid entry is reported.
   *
   * @param entry parses one entry
   */
  public static <T> Parser<List<T>> list(final Parser<T> entry) {
    return text -> {
      final List<T> values = new ArrayList<>();
      final List<InvalidValueException> problems = new ArrayList<>();
      for (final String item : text.split(",")) {
        if (item.isBlank()) {
          continue;
        }
        try {
          values.add(entry.parse(item.trim()));
        } catch (InvalidValueException e) {
          problems.add(e);
        }
      }
      if (!problems.isEmpty()) {
        throw InvalidValueException.all(problems);
      }
      return List.copyOf(values);
    };
  }

  /** {@value #NONE} (any case) for empty, otherwise what {@code parser} reads. */
  public static <T> Parser<Optional<T>> noneOr(final Parser<T> parser) {
    return text -> text.equalsIgnoreCase(NONE) ? Optional.empty() : Optional.of(parser.parse(text));
  }

  /** {@value #NONE} (any case) for an empty list, otherwise a {@linkplain #list list}. */
  public static <T> Parser<List<T>> noneOrList(final Parser<T> entry) {
    return noneOr(list(entry)).map(list -> list.orElse(List.of()));
  }

  /**
   * Kafka bootstrap servers: {@code host:port[,host:port…]}, IPv6 hosts in brackets
   * ({@code [::1]:9092}). Returns the text as written.
   */
  public static Parser<String> hostPorts() {
    return text -> {
      final List<InvalidValueException> problems = new ArrayList<>();
      for (final String entry : text.split(",", -1)) {
        final Matcher m = HOST_PORT.matcher(entry.trim());
        if (!m.matches() || Integer.parseInt(m.group(2)) > 65_535) {
          problems.add(InvalidValueException.mustBe("host:port[,host:port…] (IPv6 as [::1]:9092)",
              quote(entry.trim())));
        }
      }
      if (!problems.isEmpty()) {
        throw InvalidValueException.all(problems);
      }
      return text;
    };
  }

  /** A file system path. */
  public static Parser<Path> path() {
    return text -> {
      try {
        return Path.of(text);
      } catch (InvalidPathException e) {
        throw InvalidValueException.mustBe("a file system path", quote(text));
      }
    };
  }

  /**
   * Adapts a parser written without this package (e.g. a record's {@code parse}): its
   * {@link IllegalArgumentException}'s message becomes the problem.
   */
  public static <T> Parser<T> from(final Function<String, T> parse) {
    return text -> {
      try {
        return parse.apply(text);
      } catch (InvalidValueException e) {
        throw e;
      } catch (IllegalArgumentException e) {
        throw InvalidValueException.because(e.getMessage());
      }
    };
  }
}
