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
   * @param detail why, for the log only (never echoes the token, may name claims and keys)
   */
  record Rejected(Reason reason, String detail) implements TokenVerdict {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }

    /** The safe text for clients (HTTP 401 bodies and error frames): the reason's, nothing more. */
    public String message() {
      return reason.message();
    }
  }

  /** Categories of refusal, each with the fixed text a client may see. */
  enum Reason {
    /** No token was given. */
    MISSING("no token"),
    /** Not a JWT, or its claims are not readable. */
    MALFORMED("malformed token"),
    /** Unsigned ({@code alg: none}), encrypted, or signed with an algorithm not configured. */
    UNSUPPORTED_ALGORITHM("unsupported token algorithm"),
    /** No configured key matches the token's algorithm and {@code kid} (also after a JWKS refresh). */
    UNKNOWN_KEY("unknown signing key"),
    /** The signature does not match the key. */
    BAD_SIGNATURE("bad signature"),
    /** The JWKS could not be fetched and no cached copy is left. */
    KEYS_UNAVAILABLE("signing keys unavailable"),
    /** A required claim ({@code sub}, {@code exp}, {@code iss} when configured) is absent. */
    MISSING_CLAIM("missing claim"),
    /** {@code iss} is not the configured issuer. */
    WRONG_ISSUER("wrong issuer"),
    /** {@code aud} names none of the configured audiences. */
    WRONG_AUDIENCE("wrong audience"),
    /** {@code exp} lies further after {@code iat} (or now) than the maximum lifetime. */
    LIFETIME_TOO_LONG("token lifetime too long"),
    /** {@code sub} does not have the configured format. */
    BAD_SUBJECT("invalid subject"),
    /** {@code exp} has passed (beyond the allowed clock skew). */
    EXPIRED("token expired"),
    /** {@code nbf} is in the future (beyond the allowed clock skew). */
    NOT_YET_VALID("token not yet valid");

    private final String message;

    Reason(final String message) {
      this.message = message;
    }

    /** The fixed text a client may see. */
    public String message() {
      return message;
    }
  }
}
