package io.tidewire.gateway.broadcast;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who may join which broadcast/presence channel: an ordered list of {@code pattern=access} rules
 * ({@code TIDEWIRE_GATEWAY_CHANNELS}); the first rule whose pattern matches the whole channel name
 * decides, and a name no rule matches is refused. A pattern is literal characters, {@code *} (one
 * or more characters of any kind) and <code>{sub}</code> (exactly the caller's user id). Access is
 * {@link Access#AUTHENTICATED} (any verified user the pattern matches), {@link Access#OWNER} (the
 * same, for a pattern that names <code>{sub}</code>) or {@link Access#DENY}.
 *
 * <p>Immutable; thread-safe.
 */
public record ChannelRules(List<Rule> rules) {

  /** The placeholder of the caller's user id. */
  public static final String SUB = "{sub}";

  /** The rules unless configured otherwise (the demo's too). */
  public static final String DEFAULT =
      "room:*=authenticated,user:{sub}=owner,call:*=authenticated,item:*=authenticated";

  private static final Pattern PATTERN = Pattern.compile("(?:[A-Za-z0-9_.:@/-]|\\*|\\{sub\\})+");

  /** What a matching rule grants. */
  public enum Access {
    /** Any verified user. */
    AUTHENTICATED,
    /** Only the user the pattern's <code>{sub}</code> names. */
    OWNER,
    /** Nobody. */
    DENY
  }

  /**
   * One rule.
   *
   * @param pattern the pattern as configured
   * @param access what it grants
   */
  public record Rule(String pattern, Access access) {
    public Rule {
      Objects.requireNonNull(pattern, "pattern");
      Objects.requireNonNull(access, "access");
    }

    /** Whether the rule's pattern matches {@code channel} for {@code userId}. */
    boolean matches(final String channel, final String userId) {
      final StringBuilder regex = new StringBuilder();
      int i = 0;
      while (i < pattern.length()) {
        if (pattern.startsWith(SUB, i)) {
          regex.append(Pattern.quote(userId));
          i += SUB.length();
        } else if (pattern.charAt(i) == '*') {
          regex.append(".+");
          i++;
        } else {
          regex.append(Pattern.quote(String.valueOf(pattern.charAt(i))));
          i++;
        }
      }
      return Pattern.compile(regex.toString()).matcher(channel).matches();
    }

    @Override
    public String toString() {
      return pattern + "=" + access.name().toLowerCase(Locale.ROOT);
    }
  }

  /** Rules in the order they are tried. */
  public ChannelRules {
    rules = List.copyOf(rules);
  }

  /** {@link #DEFAULT}. */
  public static ChannelRules defaults() {
    return parse(DEFAULT);
  }

  /**
   * Reads {@code pattern=access,…}.
   *
   * @throws IllegalArgumentException naming the first malformed rule
   */
  public static ChannelRules parse(final String text) {
    final List<Rule> rules = new ArrayList<>();
    for (final String raw : text.split(",", -1)) {
      final String entry = raw.trim();
      final int eq = entry.lastIndexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("a list of pattern=access rules (e.g. " + DEFAULT
            + "), not \"" + entry + "\"");
      }
      final String pattern = entry.substring(0, eq).trim();
      final String access = entry.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
      if (!PATTERN.matcher(pattern).matches()) {
        throw new IllegalArgumentException("pattern \"" + pattern + "\" may hold only A-Z a-z 0-9 _ . : @ / -,"
            + " * and {sub}");
      }
      final Access parsed = switch (access) {
        case "authenticated" -> Access.AUTHENTICATED;
        case "owner" -> Access.OWNER;
        case "deny" -> Access.DENY;
        default -> throw new IllegalArgumentException("access of \"" + pattern
            + "\" must be authenticated, owner or deny, not \"" + access + "\"");
      };
      if (parsed == Access.OWNER && !pattern.contains(SUB)) {
        throw new IllegalArgumentException("the owner rule \"" + pattern + "\" must name {sub}");
      }
      rules.add(new Rule(pattern, parsed));
    }
    return new ChannelRules(rules);
  }

  /** Whether {@code userId} may join {@code channel} (a valid channel name). */
  public boolean mayJoin(final String userId, final String channel) {
    for (final Rule rule : rules) {
      if (rule.matches(channel, userId)) {
        return rule.access() != Access.DENY;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return String.join(",", rules.stream().map(Rule::toString).toList());
  }
}
