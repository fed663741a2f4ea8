package io.tidewire.gateway.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChannelRulesTest {

  private final ChannelRules defaults = ChannelRules.defaults();

  @Test
  void defaultsOpenRoomsCallsAndItemsToEveryUser() {
    assertThat(defaults.mayJoin("ada", "room:lobby")).isTrue();
    assertThat(defaults.mayJoin("ada", "call:7f3a")).isTrue();
    assertThat(defaults.mayJoin("ada", "item:video:5d0e")).isTrue();
    assertThat(defaults.mayJoin("ada", "room:")).as("* needs one character at least").isFalse();
  }

  @Test
  void aUserChannelIsOnlyItsUsers() {
    assertThat(defaults.mayJoin("ada", "user:ada")).isTrue();
    assertThat(defaults.mayJoin("bob", "user:ada")).isFalse();
    assertThat(defaults.mayJoin("ada", "user:ada:x")).isFalse();
  }

  @Test
  void aNameNoRuleMatchesIsRefused() {
    assertThat(defaults.mayJoin("ada", "secret:1")).isFalse();
    assertThat(defaults.mayJoin("ada", "lobby")).isFalse();
  }

  @Test
  void theFirstMatchingRuleDecides() {
    final ChannelRules rules = ChannelRules.parse("room:private*=deny, room:*=authenticated,team:{sub}:*=owner");

    assertThat(rules.mayJoin("ada", "room:private-1")).isFalse();
    assertThat(rules.mayJoin("ada", "room:public")).isTrue();
    assertThat(rules.mayJoin("ada", "team:ada:notes")).isTrue();
    assertThat(rules.mayJoin("bob", "team:ada:notes")).isFalse();
  }

  @Test
  void aUserIdIsMatchedLiterallyNotAsAPattern() {
    final ChannelRules rules = ChannelRules.parse("user:{sub}=owner");

    assertThat(rules.mayJoin("a.b", "user:a.b")).isTrue();
    assertThat(rules.mayJoin("a.b", "user:axb")).isFalse();
  }

  @Test
  void malformedRulesAreRefusedWithTheirReason() {
    assertThatThrownBy(() -> ChannelRules.parse("room:*")).hasMessageContaining("pattern=access");
    assertThatThrownBy(() -> ChannelRules.parse("room:*=everyone")).hasMessageContaining("authenticated, owner or deny");
    assertThatThrownBy(() -> ChannelRules.parse("room:*=owner")).hasMessageContaining("must name {sub}");
    assertThatThrownBy(() -> ChannelRules.parse("room:$=deny")).hasMessageContaining("may hold only");
  }
}
