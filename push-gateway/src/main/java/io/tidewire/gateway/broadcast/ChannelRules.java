package io.tidewire.gateway.broadcast;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who may join which broadcast/presence channel: an ordered list of {@code pattern=access} rules
 * ({@code TIDEWIRE_GATEWAY_CHANNELS}); the first rule whose pattern matches the whole channel name
 * decides, and a name no rule matches is refused. A pattern is literal characters, {@code *} (one
 * or more characters of any kind) and <code>{sub}</code> (exactly the caller's user id). Access is
 * {@link Access#AUTHENTICATED} (any verified user the pattern matches), {@link Access#OWNER} (the
 * same, for a pattern that names <code>{sub}</code>), {@link Access#VISIBLE} (users who may see the
 * content item whose key {@code contentType:contentId} the pattern's only {@code *} matched) or
 * {@link Access#DENY}.
 *
 * <p>{@code visible} rules ask the {@link ItemAccess} the rules are bound to ({@link #withItems});
 * rules bound to none ({@link ItemAccess#NONE}, as parsed) refuse every channel such a rule
 * matches.
 *
 * <p>Immutable; thread-safe.
 *
 * @param rules the rules in the order they are tried
 * @param items who may see which content item, for {@code visible} rules
 */
public record ChannelRules(List<Rule> rules, ItemAccess items) {

  /** The placeholder of the caller's user id. */
  public static final String SUB = "{sub}";

  /** The rules unless configured otherwise (the demo's too). */
  public static final String DEFAULT =
      "room:*=authenticated,user:{sub}=owner,call:*=authenticated,item:*=visible";

  private static final Pattern PATTERN = Pattern.compile("(?:[A-Za-z0-9_.:@/-]|\\*|\\{sub\\})+");

  /** What a matching rule grants. */
  public enum Access {
    /** Any verified user. */
    AUTHENTICATED,
    /** Only the user the pattern's <code>{sub}</code> names. */
    OWNER,
    /**
     * Users who may see the content item the pattern's {@code *} names ({@code contentType:contentId}):
     * anyone if it is public, else its owner; nobody if the gateway does not know it.
     */
    VISIBLE,
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

    /**
     * Matches the rule's pattern against {@code channel} for {@code userId}; a match's first group
     * is what the first {@code *} matched.
     */
    Matcher matcher(final String channel, final String userId) {
      final StringBuilder regex = new StringBuilder();
      int i = 0;
      while (i < pattern.length()) {
        if (pattern.startsWith(SUB, i)) {
          regex.append(Pattern.quote(userId));
          i += SUB.length();
        } else if (pattern.charAt(i) == '*') {
          regex.append("(.+)");
          i++;
        } else {
          regex.append(Pattern.quote(String.valueOf(pattern.charAt(i))));
          i++;
        }
      }
      return Pattern.compile(regex.toString()).matcher(channel);
    }

    @Override
    public String toString() {
      return pattern + "=" + access.name().toLowerCase(Locale.ROOT);
    }
  }

  /** Rules in the order they are tried, bound to {@code items}. */
  public ChannelRules {
    rules = List.copyOf(rules);
    Objects.requireNonNull(items, "items");
  }

  /** Rules in the order they are tried, bound to no items ({@code visible} rules refuse). */
  public ChannelRules(final List<Rule> rules) {
    this(rules, ItemAccess.NONE);
  }

  /** The same rules, whose {@code visible} rules ask {@code items}. */
  public ChannelRules withItems(final ItemAccess items) {
    return new ChannelRules(rules, items);
  }

  /** Whether a rule grants {@code visible} access (the gateway then needs its content view). */
  public boolean needsItems() {
    return rules.stream().anyMatch(rule -> rule.access() == Access.VISIBLE);
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
        case "visible" -> Access.VISIBLE;
        case "deny" -> Access.DENY;
        default -> throw new IllegalArgumentException("access of \"" + pattern
            + "\" must be authenticated, owner, visible or deny, not \"" + access + "\"");
      };
      if (parsed == Access.OWNER && !pattern.contains(SUB)) {
        throw new IllegalArgumentException("the owner rule \"" + pattern + "\" must name {sub}");
      }
      if (parsed == Access.VISIBLE && pattern.chars().filter(c -> c == '*').count() != 1) {
        throw new IllegalArgumentException("the visible rule \"" + pattern + "\" must hold exactly one *,"
            + " which matches the content key contentType:contentId (e.g. item:*)");
      }
      rules.add(new Rule(pattern, parsed));
    }
    return new ChannelRules(rules);
  }

  /**
   * Whether {@code userId} may join {@code channel} (a valid channel name): the first rule whose
   * pattern matches decides; a {@code visible} rule admits only while the item is known and visible
   * to the user (checked at the join, not later). Answers at once, from what the items know now:
   * see {@link #recheckUnknownItem} for a refusal.
   */
  public boolean mayJoin(final String userId, final String channel) {
    return decidingRule(userId, channel).map(match -> switch (match.rule().access()) {
      case AUTHENTICATED, OWNER -> true;
      case VISIBLE -> items.visibility(match.contentKey()).map(v -> v.visibleTo(userId)).orElse(false);
      case DENY -> false;
    }).orElse(false);
  }

  /**
   * After {@link #mayJoin} refused: when a {@code visible} rule decided and the items did not know
   * the item (it may have been created a moment ago, its record not read yet), asks again once the
   * items have caught up ({@link ItemAccess#afterCatchUp}); otherwise refuses at once.
   * {@code verdict} gets whether the join is admitted, on the caller's or another thread.
   */
  public void recheckUnknownItem(final String userId, final String channel, final Consumer<Boolean> verdict) {
    final Optional<Match> match = decidingRule(userId, channel);
    if (match.isEmpty() || match.get().rule().access() != Access.VISIBLE
        || items.visibility(match.get().contentKey()).isPresent()) {
      verdict.accept(false);
      return;
    }
    items.afterCatchUp(() -> verdict.accept(mayJoin(userId, channel)));
  }

  /** The first rule whose pattern matches, with what its first {@code *} matched. */
  private Optional<Match> decidingRule(final String userId, final String channel) {
    for (final Rule rule : rules) {
      final Matcher match = rule.matcher(channel, userId);
      if (match.matches()) {
        return Optional.of(new Match(rule, match.groupCount() > 0 ? match.group(1) : ""));
      }
    }
    return Optional.empty();
  }

  private record Match(Rule rule, String contentKey) {}

  @Override
  public String toString() {
    return String.join(",", rules.stream().map(Rule::toString).toList());
  }
}
