package io.tidewire.processor.internals;

import static io.tidewire.processor.Envelopes.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tidewire.processor.BalanceTable;
import io.tidewire.processor.Envelopes;
import io.tidewire.processor.FeedTable;
import io.tidewire.processor.ReactionTable;
import io.tidewire.processor.TableId;
import io.tidewire.processor.TransactionTable;
import io.tidewire.processor.internals.DecodeException.Kind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The mappers that feed the stateful features. */
class FeatureInputsTest {

  private static final BalanceTable USERS = BalanceTable.parse("public.users:id:credits");
  private static final TransactionTable TRANSACTIONS =
      TransactionTable.parse("public.credit_transactions:user_id:amount:reason");
  private static final ReactionTable COMMENTS = ReactionTable.parse("public.comments:comment");
  private static final FeedTable IMAGES = FeedTable.parse("public.images:image");

  private static ChangeEnvelope change(final TableId table, final Envelopes envelope) {
    return EnvelopeDecoder.decode(table, Envelopes.idKey("k"), envelope.bytes());
  }

  private static List<Routed.ToCredits> balance(final Envelopes envelope) {
    return new BalanceChangeMapper(USERS).map(change(USERS.table(), envelope));
  }

  @Test
  void balanceChangesNeedADeltaToTell() {
    final Map<String, Object> before = row("id", "u1", "credits", 10);
    final Map<String, Object> after = row("id", "u1", "credits", 4);

    assertThat(balance(Envelopes.update("public.users", before, after).txId(42))).singleElement()
        .satisfies(out -> {
          assertThat(out.userId()).isEqualTo("u1");
          final CreditsInput.BalanceChange change = (CreditsInput.BalanceChange) out.input();
          assertThat(change.balance()).isEqualTo(4);
          assertThat(change.delta()).isEqualTo(-6);
          assertThat(change.position().txId()).contains(42L);
        });
    assertThat(balance(Envelopes.update("public.users", null, after))).as("no before image").isEmpty();
    assertThat(balance(Envelopes.update("public.users", after, after))).isEmpty();
    assertThat(balance(Envelopes.snapshot("public.users", after))).isEmpty();
    assertThat(balance(Envelopes.delete("public.users", after))).isEmpty();
    assertThat(balance(Envelopes.insert("public.users", row("id", "u2", "credits", 100))))
        .as("a starting balance is state, not a change").isEmpty();
  }

  @Test
  void aBalanceThatIsNotAnIntegerIsAnError() {
    final DecodeException e = catchThrowableOfType(DecodeException.class, () -> balance(Envelopes.update(
        "public.users", row("id", "u1", "credits", 1), row("id", "u1", "credits", "many"))));

    assertThat(e.kind()).isEqualTo(Kind.WRONG_TYPE);
  }

  @Test
  void onlyInsertedTransactionsAreJoined() {
    final CreditTransactionMapper mapper = new CreditTransactionMapper(TRANSACTIONS);
    final Map<String, Object> row = row("id", "t1", "user_id", "u1", "amount", -7, "reason", null);

    assertThat(mapper.map(change(TRANSACTIONS.table(), Envelopes.insert("public.credit_transactions", row))))
        .singleElement().satisfies(out -> assertThat(out.input()).isEqualTo(new CreditsInput.Transaction(
            "t1", "u1", -7, Optional.empty(), new Position("public.credit_transactions", Optional.of(24_023_128L),
                Optional.of(780L), false))));
    assertThat(mapper.map(change(TRANSACTIONS.table(), Envelopes.snapshot("public.credit_transactions", row))))
        .isEmpty();
    assertThat(mapper.map(change(TRANSACTIONS.table(), Envelopes.delete("public.credit_transactions", row))))
        .isEmpty();
  }

  @Test
  void aCommentMovedToOtherContentLeavesOneAndJoinsTheOther() {
    final Map<String, Object> before = row("id", "c1", "user_id", "u1", "content_type", "image",
        "content_id", "i1", "body", "nice");
    final Map<String, Object> after = row("id", "c1", "user_id", "u1", "content_type", "image",
        "content_id", "i2", "body", "nice");
    final ReactionMapper mapper = new ReactionMapper(COMMENTS);

    final List<Routed.ToContent> moved = mapper.map(change(COMMENTS.table(),
        Envelopes.update("public.comments", before, after)));

    assertThat(moved).extracting(Routed.ToContent::contentKey).containsExactly("image:i1", "image:i2");
    assertThat(moved).extracting(out -> ((ContentInput.Reaction) out.input()).delta()).containsExactly(-1, 1);
    assertThat(moved).allSatisfy(out ->
        assertThat(((ContentInput.Reaction) out.input()).notificationId()).isEmpty());
    assertThat(mapper.map(change(COMMENTS.table(), Envelopes.update("public.comments", before,
        row("id", "c1", "user_id", "u1", "content_type", "image", "content_id", "i1", "body", "edited")))))
        .as("an edit is not a new comment").isEmpty();
  }

  @Test
  void insertedCommentsCarryWhatTheirNotificationNeeds() {
    final List<Routed.ToContent> out = new ReactionMapper(COMMENTS).map(change(COMMENTS.table(),
        Envelopes.insert("public.comments", row("id", "c2", "user_id", "u3", "content_type", "image",
            "content_id", "i9", "body", "x".repeat(300)))));

    final ContentInput.Reaction reaction = (ContentInput.Reaction) out.get(0).input();
    assertThat(reaction.notificationId()).isPresent();
    assertThat(reaction.commentId()).contains("c2");
    assertThat(Notifications.reaction(reaction, "n1").getBody()).hasSize(Notifications.EXCERPT).endsWith("\u2026");
  }

  @Test
  void deletedContentIsNotPublic() {
    final List<Routed.ToContent> out = new ContentRowMapper(IMAGES).map(change(IMAGES.table(),
        Envelopes.delete("public.images", row("id", "i1", "user_id", "u1", "is_public", true))));

    assertThat(out).singleElement().satisfies(o -> {
      assertThat(o.contentKey()).isEqualTo("image:i1");
      final ContentInput.Content content = (ContentInput.Content) o.input();
      assertThat(content.deleted()).isTrue();
      assertThat(content.visible()).isFalse();
      assertThat(content.ownerId()).isEqualTo("u1");
    });
  }
}
