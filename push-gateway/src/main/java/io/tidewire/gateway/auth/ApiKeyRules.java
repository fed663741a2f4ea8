package io.tidewire.gateway.auth;

import com.nimbusds.jwt.JWTClaimNames;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import io.tidewire.gateway.auth.TokenVerdict.Reason;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Set;

/**
 * The claims of a Supabase API key (the {@code apikey} of {@code /realtime/v1/websocket}): signed
 * like any token, with {@code exp} and a {@code role} of {@value #ANON} or {@value #AUTHENTICATED}.
 * Unlike a session token it needs no {@code sub}, audience or short lifetime: an anon key is a
 * long-lived public key that opens no user's data by itself. A {@code service_role} key is refused:
 * it must never reach a browser. Thread-safe.
 */
final class ApiKeyRules implements JWTClaimsSetVerifier<SecurityContext> {

  static final String ANON = "anon";
  static final String AUTHENTICATED = "authenticated";
  static final String ROLE = "role";

  private final DefaultJWTClaimsVerifier<SecurityContext> standard;

  ApiKeyRules(final Clock clock, final Duration skew) {
    this.standard = new DefaultJWTClaimsVerifier<>(null, null, Set.of(JWTClaimNames.EXPIRATION_TIME, ROLE), null) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    standard.setMaxClockSkew(Math.toIntExact(skew.toSeconds()));
  }

  @Override
  public void verify(final JWTClaimsSet claims, final SecurityContext context) throws BadJWTException {
    try {
      standard.verify(claims, context);
    } catch (ExpiredJWTException e) {
      throw new ClaimRules.Refusal(Reason.EXPIRED, e.getMessage());
    } catch (BadJWTException e) {
      throw new ClaimRules.Refusal(e.getMessage() != null && e.getMessage().contains("missing required claims")
          ? Reason.MISSING_CLAIM : Reason.MALFORMED, e.getMessage());
    }
    final String role;
    try {
      role = claims.getStringClaim(ROLE);
    } catch (ParseException e) {
      throw new ClaimRules.Refusal(Reason.MISSING_CLAIM, "role is not a string");
    }
    if (!ANON.equals(role) && !AUTHENTICATED.equals(role)) {
      throw new ClaimRules.Refusal(Reason.MISSING_CLAIM, "role must be anon or authenticated");
    }
  }
}
