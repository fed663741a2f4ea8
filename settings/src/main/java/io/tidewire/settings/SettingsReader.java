package io.tidewire.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads a part's settings from an environment, collecting every problem instead of stopping at
 * the first, then reports them all in one exception ({@link #throwIfInvalid}). Unknown
 * {@code TIDEWIRE_*} variables are problems too, with a "did you mean" when one is near a known
 * name; "known" means known to any part in the group the reader was given, because one
 * environment (or {@code --config} file) may hold the settings of every part.
 *
 * <p>Use: {@link #get} every setting, {@link #passThrough} every family, {@link #check} what
 * involves several settings, then {@link #throwIfInvalid} before building the config from the
 * values. Not thread-safe; one reader per read.
 */
public final class SettingsReader {

  private static final String TIDEWIRE = "TIDEWIRE_";
  private static final Pattern PROPERTY_KEY = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  private final Map<String, String> env;
  private final SettingGroup known;
  private final List<String> problems = new ArrayList<>();
  private final List<String> invalid = new ArrayList<>();

  private SettingsReader(final Map<String, String> env, final SettingGroup known) {
    this.env = new TreeMap<>(Objects.requireNonNull(env, "env"));
    this.known = Objects.requireNonNull(known, "known");
  }

  /**
   * @param env the variables, usually {@code System.getenv()} (with a file's, see
   *     {@link SettingsSource})
   * @param known every setting and family a Tidewire part reads from {@code env}: at least the
   *     reading part's own group
   */
  public static SettingsReader of(final Map<String, String> env, final SettingGroup known) {
    return new SettingsReader(env, known);
  }

  /**
   * The setting's value, or its default if the variable is unset or blank. If the text is
   * invalid (or a required setting is missing) the problem is recorded and the default returned,
   * so that reading goes on; {@link #throwIfInvalid} then throws before the value can be used.
   *
   * @return the value; null only for a required setting with a recorded problem
   */
  public <T> T get(final Setting<T> setting) {
    return get(setting, setting.defaultValue().orElse(null));
  }

  /**
   * As {@link #get(Setting)}, with another default: for a default that depends on other
   * settings (the tables say so in the setting's shown default).
   */
  public <T> T get(final Setting<T> setting, final T fallback) {
    requireKnown(known.contains(setting), setting.name());
    try {
      final Optional<T> value = setting.read(env.get(setting.name()));
      if (value.isPresent()) {
        return value.get();
      }
      if (fallback == null) {
        problems.add(setting.name() + " is required (" + setting.doc() + ")");
        invalid.add(setting.name());
      }
      return fallback;
    } catch (InvalidValueException e) {
      problems.addAll(e.problemsOf(setting.name()));
      invalid.add(setting.name());
      return fallback;
    }
  }

  /** Whether every one of these settings was read without a problem (for cross-checks). */
  public boolean valid(final Setting<?>... settings) {
    for (final Setting<?> s : settings) {
      if (invalid.contains(s.name())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The properties a family passes through, by {@link PassThrough#propertyKey property key}, in
   * key order. Blank values count as unset. A variable of a longer known prefix, or with a name
   * of its own, is not part of the family.
   *
   * @param fixed keys the family must not set, with the reason (they have their own variable or
   *     carry a guarantee)
   */
  public Map<String, String> passThrough(final PassThrough family, final Map<String, String> fixed) {
    requireKnown(known.contains(family), family.prefix());
    final Map<String, String> properties = new TreeMap<>();
    for (final Map.Entry<String, String> e : env.entrySet()) {
      final String variable = e.getKey();
      if (!known.familyOf(variable).equals(Optional.of(family)) || e.getValue() == null || e.getValue().isBlank()) {
        continue;
      }
      final String suffix = variable.substring(family.prefix().length());
      final String key = PassThrough.propertyKey(suffix);
      if (suffix.isEmpty()) {
        problems.add(variable + " needs a property name after the prefix");
      } else if (!PROPERTY_KEY.matcher(key).matches()) {
        problems.add(variable + " gives an invalid property key '" + key + "'");
      } else if (fixed.containsKey(key)) {
        problems.add(family.prefix() + "* cannot set '" + key + "': " + fixed.get(key));
      } else {
        properties.put(key, e.getValue().trim());
      }
    }
    return properties;
  }

  /**
   * Records {@code problem} unless {@code ok}: for what involves several settings. Skipped if one
   * of the {@code involved} settings had a problem of its own (its value is then only a fallback,
   * and a check on it would mislead).
   */
  public void check(final boolean ok, final String problem, final Setting<?>... involved) {
    if (!ok && valid(involved)) {
      problems.add(problem);
    }
  }

  /**
   * Adds the unknown variables to the problems and throws if there are any.
   *
   * @param exception makes the part's own exception from the problem lines
   * @throws RuntimeException made by {@code exception}, listing every problem
   */
  public <X extends RuntimeException> void throwIfInvalid(final Function<List<String>, X> exception) {
    final List<String> all = new ArrayList<>(problems);
    all.addAll(unknownVariables());
    if (!all.isEmpty()) {
      throw exception.apply(all);
    }
  }

  private List<String> unknownVariables() {
    final List<String> unknown = new ArrayList<>();
    for (final String variable : env.keySet()) {
      if (!variable.startsWith(TIDEWIRE) || known.names().contains(variable)) {
        continue;
      }
      final boolean inFamily = known.familyOf(variable).isPresent();
      // a family member is taken as written unless it is a near miss of a name of its own
      final Optional<Suggestions.Candidate> nearest = Suggestions.nearest(variable, known,
          inFamily ? 1 : Suggestions.typoDistance(variable));
      if (inFamily && nearest.map(c -> known.familyOf(c.name()).isPresent()).orElse(true)) {
        continue;
      }
      unknown.add("unknown variable " + variable + nearest.map(c -> " (did you mean " + c.name() + "?)")
          .orElse(" (no Tidewire part reads it)"));
    }
    return unknown;
  }

  private static void requireKnown(final boolean known, final String what) {
    if (!known) {
      throw new IllegalArgumentException(what + " is not in the group of known settings given to the reader");
    }
  }
}
