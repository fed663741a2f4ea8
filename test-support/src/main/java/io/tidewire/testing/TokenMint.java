package io.tidewire.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * Mints test tokens of every kind the gateway meets: HS256, RS256, ES256 and EdDSA (Ed25519) with
 * a {@code kid}, unsigned ({@code alg: none}), and the HS256/RS256 confusion attack (an HS256 token
 * whose "secret" is the RSA public key). Keys are generated fresh; {@link #jwks} publishes their
 * public halves. Thread-safe.
 */
public final class TokenMint {

  private TokenMint() {}

  /** A new RSA 2048 key pair with a random {@code kid}. */
  public static RSAKey rsa() {
    return generate(() -> new RSAKeyGenerator(2048).keyID(kid("rsa")).generate());
  }

  /** A new P-256 key pair with a random {@code kid}. */
  public static ECKey ec() {
    return generate(() -> new ECKeyGenerator(Curve.P_256).keyID(kid("ec")).generate());
  }

  /** A new Ed25519 key pair with a random {@code kid}. */
  public static OctetKeyPair ed25519() {
    return generate(() -> new OctetKeyPairGenerator(Curve.Ed25519).keyID(kid("ed")).generate());
  }

  /** The JWKS document publishing the public halves of {@code keys}. */
  public static String jwks(final JWK... keys) {
    return new JWKSet(List.of(keys)).toString(true);
  }

  /** Claims of a well-formed token: {@code sub}, {@code iat} now, {@code exp} after {@code ttl}. */
  public static JWTClaimsSet.Builder claims(final String sub, final Duration ttl) {
    final Instant now = Instant.now();
    return new JWTClaimsSet.Builder().subject(sub).issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl)));
  }

  /** Signs with a private key: RS256 for RSA, ES256 for P-256, EdDSA for Ed25519; its {@code kid} in the header. */
  public static String sign(final JWK key, final JWTClaimsSet claims) {
    final JWSAlgorithm alg;
    final JWSSigner signer;
    try {
      if (key instanceof RSAKey rsa) {
        alg = JWSAlgorithm.RS256;
        signer = new RSASSASigner(rsa);
      } else if (key instanceof ECKey ec) {
        alg = JWSAlgorithm.ES256;
        signer = new ECDSASigner(ec);
      } else if (key instanceof OctetKeyPair okp) {
        alg = JWSAlgorithm.EdDSA;
        signer = new Ed25519Signer(okp);
      } else {
        throw new IllegalArgumentException("no signer for " + key.getKeyType());
      }
      return sign(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), signer, claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** HS256 with {@code secret} (UTF-8). */
  public static String hs256(final String secret, final JWTClaimsSet claims) {
    return hs256(secret.getBytes(StandardCharsets.UTF_8), null, claims);
  }

  /**
   * The alg-confusion attack: HS256, "signed" with the RSA public key as the HMAC secret (its
   * PEM text, as a naive verifier would use it), with the RSA key's {@code kid}.
   */
  public static String confused(final RSAKey key, final JWTClaimsSet claims) {
    try {
      final String pem = "-----BEGIN PUBLIC KEY-----\n"
          + Base64.getMimeEncoder().encodeToString(key.toRSAPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
      return hs256(pem.getBytes(StandardCharsets.US_ASCII), key.getKeyID(), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsigned ({@code alg: none}) token. */
  public static String unsigned(final JWTClaimsSet claims) {
    return new PlainJWT(claims).serialize();
  }

  private static String hs256(final byte[] secret, final String kid, final JWTClaimsSet claims) {
    try {
      return sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(), new MACSigner(secret), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sign(final JWSHeader header, final JWSSigner signer, final JWTClaimsSet claims)
      throws JOSEException {
    final SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  private static String kid(final String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private interface Generation<K> {
    K run() throws JOSEException;
  }

  private static <K> K generate(final Generation<K> generation) {
    try {
      return generation.run();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
