package io.tidewire.settings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The variables a part (or a piece shared by parts) reads: settings and pass-through families,
 * in the order the tables show them. Groups compose: a part's group includes the shared Kafka
 * group, and the launcher's union of every part's group is what "known" means when one
 * environment holds the settings of all parts.
 *
 * @param settings the settings, each name once
 * @param passThroughs the pass-through families, each prefix once
 */
public record SettingGroup(List<Setting<?>> settings, List<PassThrough> passThroughs) {

  /** Checks that no name or prefix is declared twice by different specs. */
  public SettingGroup {
    settings = List.copyOf(settings);
    passThroughs = List.copyOf(passThroughs);
    final Map<String, Setting<?>> byName = new LinkedHashMap<>();
    for (final Setting<?> s : settings) {
      if (byName.put(s.name(), s) != null) {
        throw new IllegalArgumentException(s.name() + " is declared twice");
      }
    }
    if (passThroughs.stream().map(PassThrough::prefix).distinct().count() != passThroughs.size()) {
      throw new IllegalArgumentException("a pass-through prefix is declared twice: " + passThroughs);
    }
  }

  /** A group of these settings and pass-throughs. */
  public static SettingGroup of(final List<Setting<?>> settings, final List<PassThrough> passThroughs) {
    return new SettingGroup(settings, passThroughs);
  }

  /**
   * Every setting and pass-through of the groups, each once (the same spec may come through
   * several groups, e.g. the shared Kafka settings through every part).
   *
   * @throws IllegalArgumentException if two different specs share a name or prefix
   */
  public static SettingGroup union(final SettingGroup... groups) {
    final List<Setting<?>> settings = new ArrayList<>();
    final List<PassThrough> passThroughs = new ArrayList<>();
    for (final SettingGroup group : groups) {
      group.settings.stream().filter(s -> !settings.contains(s)).forEach(settings::add);
      group.passThroughs.stream().filter(p -> !passThroughs.contains(p)).forEach(passThroughs::add);
    }
    return new SettingGroup(settings, passThroughs);
  }

  /** This group followed by {@code more}. */
  public SettingGroup and(final SettingGroup more) {
    return union(this, more);
  }

  /** The variable names. */
  public Set<String> names() {
    return settings.stream().map(Setting::name).collect(Collectors.toUnmodifiableSet());
  }

  /** The pass-through prefixes. */
  public Set<String> prefixes() {
    return passThroughs.stream().map(PassThrough::prefix).collect(Collectors.toUnmodifiableSet());
  }

  /** Whether {@code setting} is one of this group's. */
  public boolean contains(final Setting<?> setting) {
    return settings.contains(setting);
  }

  /** Whether {@code passThrough} is one of this group's. */
  public boolean contains(final PassThrough passThrough) {
    return passThroughs.contains(passThrough);
  }

  /**
   * The known family {@code variable} belongs to: the longest prefix it starts with, unless it is
   * a setting's own name.
   */
  public Optional<PassThrough> familyOf(final String variable) {
    if (names().contains(variable)) {
      return Optional.empty();
    }
    return passThroughs.stream().filter(p -> variable.startsWith(p.prefix()))
        .max((a, b) -> Integer.compare(a.prefix().length(), b.prefix().length()));
  }
}
