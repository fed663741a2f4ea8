package io.tidewire.gateway.broadcast;

import java.util.Objects;
import java.util.Optional;

/**
 * Who may see content items, as far as this gateway knows: what {@link ChannelRules.Access#VISIBLE}
 * rules ask. Implementations are thread-safe and answer at once (no I/O).
 */
@FunctionalInterface
public interface ItemAccess {

  /** Knows no item: every {@code visible} channel is refused (rules bound to nothing). */
  ItemAccess NONE = contentKey -> Optional.empty();

  /**
   * @param contentKey {@code contentType:contentId}
   * @return the item's visibility; empty when the item is unknown (never created, deleted, or not
   *     read yet)
   */
  Optional<Visibility> visibility(String contentKey);

  /**
   * Runs {@code then} once this access reflects everything known anywhere when called (for a view
   * of a topic: every record committed before the call), or once that cannot be had in time; on
   * another thread, or at once. What {@link ChannelRules#recheckUnknownItem} waits for, so that an
   * item created a moment ago is not refused. By default at once (nothing to wait for).
   */
  default void afterCatchUp(final Runnable then) {
    then.run();
  }

  /** Whether a content item is public, or whose it is. Immutable. */
  sealed interface Visibility {

    /** Any public item (who owns it does not matter). */
    Visibility PUBLIC = new Public();

    /** Whether {@code userId} may see the item. */
    boolean visibleTo(String userId);

    /** A public item: every user may see it. */
    record Public() implements Visibility {
      @Override
      public boolean visibleTo(final String userId) {
        return true;
      }
    }

    /**
     * A private item: its owner alone may see it.
     *
     * @param owner the owner's user id
     */
    record Private(String owner) implements Visibility {
      public Private {
        Objects.requireNonNull(owner, "owner");
      }

      @Override
      public boolean visibleTo(final String userId) {
        return owner.equals(userId);
      }
    }
  }
}
