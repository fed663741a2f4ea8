package io.tidewire.processor.internals;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;
import java.util.Optional;

/**
 * What the credits join reads, keyed by user id on its repartition topics: balance changes and
 * credit transaction rows. Immutable; {@link InternalSerde} on the wire.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = CreditsInput.BalanceChange.class, name = "balance"),
    @JsonSubTypes.Type(value = CreditsInput.Transaction.class, name = "transaction")})
public sealed interface CreditsInput {

  /** The user whose credits these are (the record key). */
  String userId();

  /** Where the row change came from; its {@code txId} is the join key. */
  Position position();

  /**
   * The balance column of a user changed.
   *
   * @param eventId id of the {@code credits.updated} event it becomes
   * @param userId the user
   * @param balance the balance after the change
   * @param delta after minus before (the whole balance for a new user)
   * @param ts commit time, epoch milliseconds
   * @param position where the change came from
   */
  record BalanceChange(String eventId, String userId, long balance, long delta, long ts,
      Position position) implements CreditsInput {
    public BalanceChange {
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(position, "position");
    }
  }

  /**
   * A credit transaction row was inserted.
   *
   * @param transactionId its id column
   * @param userId the user
   * @param amount the signed amount
   * @param reason its reason column, when set
   * @param position where the change came from
   */
  record Transaction(String transactionId, String userId, long amount, Optional<String> reason,
      Position position) implements CreditsInput {
    public Transaction {
      Objects.requireNonNull(transactionId, "transactionId");
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(position, "position");
    }
  }
}
