package io.tidewire.gateway.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code filter} of a {@code postgres_changes} binding: one or more conditions
 * {@code column=op.value} separated by commas, all of which must hold (commas mean AND); {@code op}
 * is one of {@code eq, neq, lt, lte, gt, gte, in}, and {@code in} takes a parenthesized,
 * comma-separated list ({@code status=in.(queued,active)}). A condition compares the row's value
 * of the column as the row's JSON has it: a number numerically, a boolean as {@code true/false},
 * anything else as text; a row without the column, or with {@code null} in it, matches no
 * condition on it (as SQL's comparisons with NULL). Immutable, thread-safe.
 */
public final class RowFilter {

  /** Most conditions in one filter. */
  static final int MAX_CONDITIONS = 16;
  /** Most values of one {@code in} list (Supabase's limit). */
  static final int MAX_IN_VALUES = 100;

  private static final Pattern CONDITION =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(eq|neq|lt|lte|gt|gte|in)\\.(.*)", Pattern.DOTALL);

  /** The comparison operators. */
  enum Op { EQ, NEQ, LT, LTE, GT, GTE, IN }

  record Condition(String column, Op op, List<String> values) {}

  private static final RowFilter NONE = new RowFilter(List.of());

  private final List<Condition> conditions;

  private RowFilter(final List<Condition> conditions) {
    this.conditions = List.copyOf(conditions);
  }

  /** The filter that matches every row. */
  public static RowFilter none() {
    return NONE;
  }

  /**
   * Parses a filter.
   *
   * @throws IllegalArgumentException with a message for the client if it is not one
   */
  public static RowFilter parse(final String filter) {
    final List<String> parts = splitTopLevel(filter);
    if (parts.size() > MAX_CONDITIONS) {
      throw new IllegalArgumentException("at most " + MAX_CONDITIONS + " conditions in a filter");
    }
    final List<Condition> conditions = new ArrayList<>();
    for (final String part : parts) {
      final Matcher m = CONDITION.matcher(part.strip());
      if (!m.matches()) {
        throw new IllegalArgumentException("expected column=op.value with op one of eq, neq, lt, lte, gt, gte, "
            + "in, got '" + part.strip() + "'");
      }
      final Op op = Op.valueOf(m.group(2).toUpperCase(Locale.ROOT));
      final String value = m.group(3);
      final List<String> values;
      if (op == Op.IN) {
        if (!value.startsWith("(") || !value.endsWith(")") || value.length() < 3) {
          throw new IllegalArgumentException("in takes a list: " + m.group(1) + "=in.(a,b,c)");
        }
        values = new ArrayList<>();
        for (final String v : value.substring(1, value.length() - 1).split(",", -1)) {
          values.add(unquote(v.strip()));
        }
        if (values.size() > MAX_IN_VALUES) {
          throw new IllegalArgumentException("at most " + MAX_IN_VALUES + " values in an in list");
        }
      } else {
        values = List.of(value);
      }
      conditions.add(new Condition(m.group(1), op, values));
    }
    return new RowFilter(conditions);
  }

  /** Whether {@code row} (a JSON object) satisfies every condition. */
  public boolean matches(final JsonNode row) {
    for (final Condition condition : conditions) {
      if (!holds(condition, row == null ? null : row.get(condition.column()))) {
        return false;
      }
    }
    return true;
  }

  private static boolean holds(final Condition condition, final JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return false;
    }
    if (condition.op() == Op.IN) {
      for (final String candidate : condition.values()) {
        final Integer c = compare(value, candidate);
        if (c != null && c == 0) {
          return true;
        }
      }
      return false;
    }
    final Integer c = compare(value, condition.values().get(0));
    if (c == null) {
      return false;
    }
    return switch (condition.op()) {
      case EQ -> c == 0;
      case NEQ -> c != 0;
      case LT -> c < 0;
      case LTE -> c <= 0;
      case GT -> c > 0;
      case GTE -> c >= 0;
      default -> false;
    };
  }

  /** The row's value compared with the filter's text: negative, zero, positive, or null if not comparable. */
  private static Integer compare(final JsonNode value, final String text) {
    if (value.isNumber()) {
      try {
        return value.decimalValue().compareTo(new BigDecimal(text.strip()));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    if (value.isBoolean()) {
      final String t = text.strip().toLowerCase(Locale.ROOT);
      if (!t.equals("true") && !t.equals("false") && !t.equals("t") && !t.equals("f")) {
        return null;
      }
      return Boolean.compare(value.booleanValue(), t.startsWith("t"));
    }
    final String own = value.isTextual() ? value.textValue() : value.toString();
    return Integer.signum(own.compareTo(text));
  }

  private static String unquote(final String v) {
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
  }

  /** Splits on commas outside parentheses. */
  private static List<String> splitTopLevel(final String filter) {
    final List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < filter.length(); i++) {
      final char ch = filter.charAt(i);
      if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        depth = Math.max(0, depth - 1);
      } else if (ch == ',' && depth == 0) {
        parts.add(filter.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(filter.substring(start));
    return parts;
  }

  @Override
  public boolean equals(final Object o) {
    return o instanceof RowFilter other && other.conditions.equals(conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(conditions);
  }
}
