package io.tidewire.settings;

import java.util.function.Function;

/**
 * Turns a variable's text (trimmed, never blank) into a typed value.
 *
 * @param <T> the value's type
 */
@FunctionalInterface
public interface Parser<T> {

  /**
   * @param text the variable's text
   * @return the value
   * @throws InvalidValueException if the text is not a valid value
   */
  T parse(String text);

  /** This parser followed by a conversion that cannot fail. */
  default <R> Parser<R> map(final Function<? super T, ? extends R> conversion) {
    return text -> conversion.apply(parse(text));
  }
}
