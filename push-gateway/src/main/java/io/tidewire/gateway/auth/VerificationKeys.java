package io.tidewire.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.Key;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Picks the keys a token may be checked with, by its algorithm, so that keys never cross
 * families: HS256 only against the configured secret (never a JWKS key, so an RSA public key can
 * not serve as an HMAC secret), RS256/ES256/EdDSA only against public keys of the JWKS. Nimbus has
 * no EdDSA verifier in its default factory, so Ed25519 keys travel as {@link OkpKey} to
 * {@link #verifierFactory()}.
 *
 * <p>Thread-safe.
 */
final class VerificationKeys implements JWSKeySelector<SecurityContext> {

  /** Asymmetric algorithms taken from a JWKS. */
  static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.EdDSA);

  private final Optional<SecretKey> hmac;
  private final Optional<JWSKeySelector<SecurityContext>> rsaEc;
  private final Optional<JWKSource<SecurityContext>> jwks;

  VerificationKeys(final Optional<byte[]> secret, final Optional<JWKSource<SecurityContext>> jwks) {
    this.hmac = secret.map(s -> new SecretKeySpec(s.clone(), "HmacSHA256"));
    this.rsaEc = jwks.map(source -> new JWSVerificationKeySelector<>(
        Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), source));
    this.jwks = jwks;
  }

  /** The algorithms tokens may use with these keys. */
  Set<JWSAlgorithm> algorithms() {
    final Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
    hmac.ifPresent(h -> algorithms.add(JWSAlgorithm.HS256));
    jwks.ifPresent(j -> algorithms.addAll(ASYMMETRIC));
    return algorithms;
  }

  @Override
  public List<? extends Key> selectJWSKeys(final JWSHeader header, final SecurityContext context)
      throws KeySourceException {
    final JWSAlgorithm alg = header.getAlgorithm();
    if (JWSAlgorithm.HS256.equals(alg)) {
      // one shared secret: a kid in the header (some auth servers set one) selects nothing
      return hmac.map(List::of).orElse(List.of());
    }
    if (JWSAlgorithm.EdDSA.equals(alg) && jwks.isPresent()) {
      final List<OkpKey> keys = new ArrayList<>();
      for (final JWK jwk : jwks.get().get(new JWKSelector(JWKMatcher.forJWSHeader(header)), context)) {
        if (jwk instanceof OctetKeyPair okp && !okp.isPrivate()) {
          keys.add(new OkpKey(okp));
        }
      }
      return keys;
    }
    if (ASYMMETRIC.contains(alg) && rsaEc.isPresent()) {
      return rsaEc.get().selectJWSKeys(header, context);
    }
    return List.of();
  }

  /** Nimbus's default verifiers, plus Ed25519 (through Tink) for {@link OkpKey}s. */
  static DefaultJWSVerifierFactory verifierFactory() {
    return new DefaultJWSVerifierFactory() {
      @Override
      public JWSVerifier createJWSVerifier(final JWSHeader header, final Key key) throws JOSEException {
        if (key instanceof OkpKey okp) {
          if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
            throw new JOSEException("an Ed25519 key verifies EdDSA only");
          }
          return new Ed25519Verifier(okp.jwk());
        }
        return super.createJWSVerifier(header, key);
      }
    };
  }

  /** An Ed25519 public key as a {@link Key}, for the key selector's contract. */
  record OkpKey(OctetKeyPair jwk) implements PublicKey {
    @Override
    public String getAlgorithm() {
      return "Ed25519";
    }

    @Override
    public String getFormat() {
      return "JWK";
    }

    @Override
    public byte[] getEncoded() {
      return jwk.getDecodedX();
    }
  }
}
