package io.tidewire.settings;

import static io.tidewire.settings.InvalidValueException.quote;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One environment variable: its name, how its text becomes a value (parser, then checks), its
 * default and its documentation. The README tables are rendered from these, so a variable is
 * declared in exactly one place.
 *
 * <p>Built fluently, each step returning a new immutable setting:
 * <pre>{@code
 * Setting.of("TIDEWIRE_PG_PORT", Parsers.ints(1, 65_535)).byDefault("5432").doc("PostgreSQL port")
 * }</pre>
 * A setting without a default is required. Immutable and thread-safe.
 *
 * @param <T> the value's type
 */
public final class Setting<T> {

  private static final Pattern NAME = Pattern.compile("TIDEWIRE_[A-Z0-9_]+");

  private final String name;
  private final Parser<T> parser;
  private final Optional<T> defaultValue;
  private final String shownDefault;
  private final String doc;
  private final boolean secret;
  private final boolean trimmed;

  private Setting(final String name, final Parser<T> parser, final Optional<T> defaultValue,
      final String shownDefault, final String doc, final boolean secret, final boolean trimmed) {
    this.name = name;
    this.parser = parser;
    this.defaultValue = defaultValue;
    this.shownDefault = shownDefault;
    this.doc = doc;
    this.secret = secret;
    this.trimmed = trimmed;
  }

  /**
   * A required setting without documentation yet.
   *
   * @param name {@code TIDEWIRE_…}, upper case
   * @param parser reads the variable's text
   */
  public static <T> Setting<T> of(final String name, final Parser<T> parser) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a TIDEWIRE_* variable name: " + name);
    }
    return new Setting<>(name, Objects.requireNonNull(parser, "parser"), Optional.empty(), "", "", false, true);
  }

  /**
   * The value when the variable is unset or blank, written as the variable would be; it goes
   * through the parser and the checks, and the tables show it as written.
   *
   * @throws InvalidValueException if the default itself is invalid
   */
  public Setting<T> byDefault(final String text) {
    return new Setting<>(name, parser, Optional.of(parser.parse(text)), "`" + text + "`", doc, secret, trimmed);
  }

  /**
   * A default that cannot be written as text (computed at start, or "none").
   *
   * @param value the value
   * @param shown how the tables show it (Markdown)
   */
  public Setting<T> byDefault(final T value, final String shown) {
    return new Setting<>(name, parser, Optional.of(value), shown, doc, secret, trimmed);
  }

  /** What the variable means, as the tables show it (Markdown, one line). */
  public Setting<T> doc(final String text) {
    return new Setting<>(name, parser, defaultValue, shownDefault, text, secret, trimmed);
  }

  /**
   * Also requires {@code ok}: otherwise {@code NAME must be <expected>, got '<text>'}.
   * Secret settings must use {@link #check(Predicate, String, Function)}.
   */
  public Setting<T> check(final Predicate<? super T> ok, final String expected) {
    return check(ok, expected, null);
  }

  /**
   * Also requires {@code ok}: otherwise {@code NAME must be <expected>, got <got(value)>}.
   *
   * @param got describes the rejected value (for secrets: without revealing it)
   */
  public Setting<T> check(final Predicate<? super T> ok, final String expected,
      final Function<? super T, String> got) {
    final Parser<T> inner = parser;
    final Parser<T> checked = text -> {
      final T value = inner.parse(text);
      if (!ok.test(value)) {
        throw InvalidValueException.mustBe(expected, got == null ? quote(text) : got.apply(value));
      }
      return value;
    };
    return new Setting<>(name, checked, defaultValue.map(v -> {
      if (!ok.test(v)) {
        throw new IllegalArgumentException(name + ": the default fails its own check");
      }
      return v;
    }), shownDefault, doc, secret, trimmed);
  }

  /** Never shown in problem lines or {@code toString()}s. */
  public Setting<T> secret() {
    return new Setting<>(name, parser, defaultValue, shownDefault, doc, true, trimmed);
  }

  /** Read as written: surrounding whitespace is part of the value, only empty means unset. */
  public Setting<T> untrimmed() {
    return new Setting<>(name, parser, defaultValue, shownDefault, doc, secret, false);
  }

  /** The environment variable. */
  public String name() {
    return name;
  }

  /** The default; empty if the setting is required. */
  public Optional<T> defaultValue() {
    return defaultValue;
  }

  /** Whether the variable must be set. */
  public boolean isRequired() {
    return defaultValue.isEmpty();
  }

  /** The default as the tables show it (Markdown). */
  public String shownDefault() {
    return isRequired() ? "— (required)" : shownDefault;
  }

  /** What the variable means (Markdown). */
  public String doc() {
    return doc;
  }

  /** Whether the value is a secret. */
  public boolean isSecret() {
    return secret;
  }

  /**
   * Reads a variable's raw text.
   *
   * @param raw the variable's value as found, possibly null
   * @return empty if unset (null or blank; empty for {@linkplain #untrimmed() untrimmed} ones)
   * @throws InvalidValueException if set but invalid
   */
  public Optional<T> read(final String raw) {
    if (raw == null || (trimmed ? raw.isBlank() : raw.isEmpty())) {
      return Optional.empty();
    }
    return Optional.of(parser.parse(trimmed ? raw.trim() : raw));
  }

  @Override
  public String toString() {
    return name;
  }
}
