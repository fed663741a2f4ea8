package io.tidewire.gateway.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidewire.gateway.broadcast.ItemAccess.Visibility;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ChannelRulesTest {

  /** A public video, Ada's private one and nothing else. */
  private static final ItemAccess ITEMS = key -> Optional.ofNullable(Map.of(
      "video:5d0e", Visibility.PUBLIC,
      "video:9a1f", (Visibility) new Visibility.Private("ada")).get(key));

  private final ChannelRules defaults = ChannelRules.defaults().withItems(ITEMS);

  @Test
  void defaultsOpenRoomsAndCallsToEveryUser() {
    assertThat(defaults.mayJoin("ada", "room:lobby")).isTrue();
    assertThat(defaults.mayJoin("ada", "call:7f3a")).isTrue();
    assertThat(defaults.mayJoin("ada", "room:")).as("* needs one character at least").isFalse();
  }

  @Test
  void aPublicItemsChannelIsOpenToEveryUser() {
    assertThat(defaults.mayJoin("ada", "item:video:5d0e")).isTrue();
    assertThat(defaults.mayJoin("bob", "item:video:5d0e")).isTrue();
  }

  @Test
  void aPrivateItemsChannelIsOnlyItsOwners() {
    assertThat(defaults.mayJoin("ada", "item:video:9a1f")).isTrue();
    assertThat(defaults.mayJoin("bob", "item:video:9a1f")).isFalse();
  }

  @Test
  void anUnknownItemsChannelIsRefused() {
    assertThat(defaults.mayJoin("ada", "item:video:0000")).isFalse();
    assertThat(defaults.mayJoin("ada", "item:video")).as("not a content key").isFalse();
  }

  @Test
  void rulesBoundToNoItemsRefuseEveryVisibleChannel() {
    final ChannelRules unbound = ChannelRules.defaults();

    assertThat(unbound.items()).isSameAs(ItemAccess.NONE);
    assertThat(unbound.mayJoin("ada", "item:video:5d0e")).isFalse();
    assertThat(unbound.mayJoin("ada", "room:lobby")).isTrue();
  }

  @Test
  void theStarOfAVisibleRuleIsTheContentKeyWhereverItStands() {
    final ChannelRules rules = ChannelRules.parse("typing:*:v1=visible").withItems(ITEMS);

    assertThat(rules.mayJoin("bob", "typing:video:5d0e:v1")).isTrue();
    assertThat(rules.mayJoin("bob", "typing:video:9a1f:v1")).isFalse();
    assertThat(rules.mayJoin("ada", "typing:video:9a1f:v1")).isTrue();
    assertThat(rules.toString()).isEqualTo("typing:*:v1=visible");
    assertThat(rules.needsItems()).isTrue();
    assertThat(ChannelRules.parse("room:*=authenticated").needsItems()).isFalse();
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
  void anItemUnknownAtTheJoinIsAskedAgainOnceTheItemsCaughtUp() {
    final Map<String, Visibility> known = new ConcurrentHashMap<>();
    final List<Runnable> waiting = new ArrayList<>();
    final ItemAccess lagging = new ItemAccess() {
      @Override
      public Optional<Visibility> visibility(final String contentKey) {
        return Optional.ofNullable(known.get(contentKey));
      }

      @Override
      public void afterCatchUp(final Runnable then) {
        waiting.add(then);
      }
    };
    final ChannelRules rules = ChannelRules.defaults().withItems(lagging);
    final List<String> verdicts = new ArrayList<>();

    assertThat(rules.mayJoin("bob", "item:video:new1")).isFalse();
    rules.recheckUnknownItem("bob", "item:video:new1", ok -> verdicts.add("new1 " + ok));
    rules.recheckUnknownItem("bob", "item:video:gone", ok -> verdicts.add("gone " + ok));
    assertThat(verdicts).isEmpty();
    known.put("video:new1", Visibility.PUBLIC); // the view reads the item's record
    waiting.forEach(Runnable::run);

    assertThat(verdicts).containsExactly("new1 true", "gone false");
  }

  @Test
  void aRefusalOfAKnownItemOrByAnotherRuleIsNotAskedAgain() {
    final List<Boolean> verdicts = new ArrayList<>();
    final ItemAccess neverCatchesUp = new ItemAccess() {
      @Override
      public Optional<Visibility> visibility(final String contentKey) {
        return ITEMS.visibility(contentKey);
      }

      @Override
      public void afterCatchUp(final Runnable then) {
        throw new AssertionError("asked to wait for " + then);
      }
    };
    final ChannelRules rules = ChannelRules.defaults().withItems(neverCatchesUp);

    rules.recheckUnknownItem("bob", "item:video:9a1f", verdicts::add);
    rules.recheckUnknownItem("bob", "user:ada", verdicts::add);
    rules.recheckUnknownItem("bob", "secret:1", verdicts::add);

    assertThat(verdicts).containsExactly(false, false, false);
  }

  @Test
  void malformedRulesAreRefusedWithTheirReason() {
    assertThatThrownBy(() -> ChannelRules.parse("room:*")).hasMessageContaining("pattern=access");
    assertThatThrownBy(() -> ChannelRules.parse("room:*=everyone")).hasMessageContaining("authenticated, owner, visible or deny");
    assertThatThrownBy(() -> ChannelRules.parse("room:*=owner")).hasMessageContaining("must name {sub}");
    assertThatThrownBy(() -> ChannelRules.parse("room:$=deny")).hasMessageContaining("may hold only");
    assertThatThrownBy(() -> ChannelRules.parse("item:video:5d0e=visible"))
        .hasMessageContaining("the visible rule \"item:video:5d0e\" must hold exactly one *");
    assertThatThrownBy(() -> ChannelRules.parse("item:*:*=visible"))
        .hasMessageContaining("must hold exactly one *");
  }
}
