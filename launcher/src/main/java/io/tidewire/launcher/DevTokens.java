package io.tidewire.launcher;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Mints HS256 tokens the gateway accepts: {@code sub} = user id, {@code iat}, {@code exp}. For
 * the demo and for trying a deployment by hand; a real app's auth server issues its own tokens
 * with the same secret. Thread-safe.
 */
public final class DevTokens {

  /** The secret the demo uses when {@code TIDEWIRE_JWT_SECRET} is unset. Never use it elsewhere. */
  public static final String DEMO_SECRET = "tidewire-demo-secret-change-me-0123456789abcdef";

  private final MACSigner signer;

  public DevTokens(final String secret) {
    try {
      this.signer = new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("the JWT secret must be at least 32 bytes", e);
    }
  }

  /** A token for {@code userId} valid for {@code ttl} from now. */
  public String mint(final String userId, final Duration ttl) {
    final Instant now = Instant.now();
    final JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .subject(userId)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ttl)))
        .build();
    final SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
    return jwt.serialize();
  }
}
