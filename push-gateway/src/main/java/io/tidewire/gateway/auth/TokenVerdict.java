package io.tidewire.gateway.auth;

import java.util.Objects;

/** The outcome of checking a token: a principal, or why the token was refused. */
public sealed interface TokenVerdict {

  /**
   * The token is genuine and current.
   *
   * @param principal who it speaks for
   */
  record Accepted(Principal principal) implements TokenVerdict {
    public Accepted {
      Objects.requireNonNull(principal, "principal");
    }
  }

  /**
   * The token was refused.
   *
   * @param reason why, as a category
   * @param message why, for logs and error frames (never echoes the token)
   */
  record Rejected(Reason reason, String message) implements TokenVerdict {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }
  }

  /** Categories of refusal. */
  enum Reason {
    /** No token was given. */
    MISSING,
    /** Not a signed JWT at all. */
    MALFORMED,
    /** Signed with another algorithm than HS256, or unsigned ({@code alg: none}). */
    UNSUPPORTED_ALGORITHM,
    /** The signature does not match the secret. */
    BAD_SIGNATURE,
    /** A required claim ({@code sub}, {@code exp}) is absent or empty. */
    MISSING_CLAIM,
    /** {@code exp} has passed (beyond the allowed clock skew). */
    EXPIRED,
    /** {@code nbf} is in the future (beyond the allowed clock skew). */
    NOT_YET_VALID
  }
}
