package io.tidewire.gateway.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;

/** Mints test tokens. */
public final class Tokens {

  public static final String SECRET = "test-secret-for-tidewire-gateway-0123456789";
  public static final String OTHER_SECRET = "another-secret-nobody-should-trust-987654321";

  private Tokens() {}

  /** An HS256 token with {@code sub} and {@code exp}. */
  public static String hs256(final String secret, final String sub, final Instant exp) {
    final JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issueTime(new Date());
    if (sub != null) {
      claims.subject(sub);
    }
    if (exp != null) {
      claims.expirationTime(Date.from(exp));
    }
    return sign(JWSAlgorithm.HS256, secret, claims.build());
  }

  /** A valid token for {@code sub}, expiring in an hour. */
  public static String valid(final String sub) {
    return hs256(SECRET, sub, Instant.now().plusSeconds(3600));
  }

  /** A token with the given claims and algorithm. */
  public static String sign(final JWSAlgorithm alg, final String secret, final JWTClaimsSet claims) {
    final SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
    try {
      jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  /** An unsigned ({@code alg: none}) token for {@code sub}. */
  public static String unsigned(final String sub) {
    return new PlainJWT(new JWTClaimsSet.Builder().subject(sub)
        .expirationTime(Date.from(Instant.now().plusSeconds(3600))).build()).serialize();
  }
}
