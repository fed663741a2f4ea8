package io.tidewire.settings;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A family of variables that pass library settings through: {@code <prefix><KEY>=value} becomes
 * the property {@link #propertyKey(String) propertyKey(KEY)}. One rule for every prefix: the rest
 * of the name is lower-cased, {@code _} becomes {@code .} and {@code __} a literal {@code _}, so
 * {@code TIDEWIRE_KAFKA_SASL_JAAS_CONFIG} sets {@code sasl.jaas.config} and
 * {@code TIDEWIRE_DEBEZIUM_SOME__KEY} sets {@code some_key}.
 *
 * <p>Where prefixes nest ({@code TIDEWIRE_KAFKA_} and {@code TIDEWIRE_KAFKA_STREAMS_}) a variable
 * belongs to the longest known prefix, and a variable with a name of its own (
 * {@code TIDEWIRE_KAFKA_BOOTSTRAP}) to no prefix.
 *
 * @param prefix {@code TIDEWIRE_…_}
 * @param doc what the settings reach (Markdown, one line), shown in the tables
 */
public record PassThrough(String prefix, String doc) {

  private static final Pattern PREFIX = Pattern.compile("TIDEWIRE_[A-Z0-9_]*_");
  private static final Pattern SECRET_KEY = Pattern.compile(".*(password|secret|jaas|token).*");

  public PassThrough {
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("not a TIDEWIRE_*_ prefix: " + prefix);
    }
  }

  /** The property a variable's name after the prefix stands for. */
  public static String propertyKey(final String suffix) {
    return suffix.toLowerCase(Locale.ROOT).replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
  }

  /** The variable that sets {@code key}: the inverse of {@link #propertyKey(String)}. */
  public String variableFor(final String key) {
    return prefix + key.replace("_", "__").replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** How the tables name the family, e.g. {@code TIDEWIRE_KAFKA_<KEY>}. */
  public String shownName() {
    return prefix + "<KEY>";
  }

  /**
   * The properties sorted, with the values of secret-looking keys (password, secret, JAAS,
   * token) replaced by {@code ****}: for {@code toString()}s and logs.
   */
  public static Map<String, String> redact(final Map<String, String> properties) {
    final Map<String, String> shown = new TreeMap<>();
    properties.forEach((k, v) -> shown.put(k, SECRET_KEY.matcher(k).matches() ? "****" : v));
    return shown;
  }
}
