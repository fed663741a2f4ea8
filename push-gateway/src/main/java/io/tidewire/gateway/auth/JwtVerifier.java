package io.tidewire.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.GatewayException;
import io.tidewire.gateway.auth.TokenVerdict.Reason;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the tokens of upgrades and of {@code auth} ops with Nimbus's {@link DefaultJWTProcessor}:
 * <ul>
 *   <li>the signature: HS256 against a shared secret (at least 32 bytes) and/or RS256, ES256 and
 *       EdDSA (Ed25519) against the public keys of a JWKS (see {@link JwksConfig}); keys never cross
 *       families (see {@link VerificationKeys}), {@code alg: none} and encrypted tokens are refused;
 *   <li>the claims of a {@link TokenPolicy} (see {@link ClaimRules}): {@code sub}, {@code exp},
 *       {@code nbf}, {@code iss}/{@code aud} when configured, the maximum lifetime and the format
 *       of {@code sub}; {@code exp} and {@code nbf} with a clock skew.
 * </ul>
 * A refusal is a {@link TokenVerdict.Rejected} whose {@link TokenVerdict.Reason} tells expiry apart
 * from the rest; its detail goes to the log at DEBUG and clients only see the reason's fixed text.
 * Refusals are counted in {@code tidewire.gateway.token.rejections} by reason.
 *
 * <p>Thread-safe; a JWKS may be fetched on the calling thread (bounded by its HTTP timeouts).
 */
public final class JwtVerifier {

  /** Minimum HS256 secret length in bytes (RFC 7518 section 3.2). */
  public static final int MIN_SECRET_BYTES = 32;
  /** Clock skew allowed unless told otherwise. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(JwtVerifier.class);

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final DefaultJWTProcessor<SecurityContext> apiKeys;
  private final Set<JWSAlgorithm> algorithms;
  private final Duration skew;
  private final Map<Reason, Counter> rejections = new EnumMap<>(Reason.class);

  /**
   * @param secret the HS256 secret, at least {@value #MIN_SECRET_BYTES} bytes, if HS256 tokens are
   *     accepted
   * @param jwks the public keys of RS256/ES256/EdDSA tokens, if those are accepted
   * @param policy the claims required
   * @param clock the clock to check {@code exp}, {@code nbf} and the lifetime against
   * @param skew how far {@code exp} may lie in the past and {@code nbf} in the future
   * @param registry where refusals are counted
   * @throws GatewayException if neither keys nor secret are given, or the secret is too short
   */
  public JwtVerifier(final Optional<byte[]> secret, final Optional<JWKSource<SecurityContext>> jwks,
      final TokenPolicy policy, final Clock clock, final Duration skew, final MeterRegistry registry) {
    if (secret.isEmpty() && jwks.isEmpty()) {
      throw new GatewayException("tokens need an HS256 secret or a JWKS");
    }
    secret.filter(s -> s.length < MIN_SECRET_BYTES).ifPresent(s -> {
      throw new GatewayException("the JWT secret must be at least " + MIN_SECRET_BYTES
          + " bytes for HS256, got " + s.length);
    });
    final VerificationKeys keys = new VerificationKeys(secret, jwks);
    this.algorithms = keys.algorithms();
    this.processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(keys);
    processor.setJWSVerifierFactory(VerificationKeys.verifierFactory());
    processor.setJWTClaimsSetVerifier(new ClaimRules(policy, clock, skew));
    this.apiKeys = new DefaultJWTProcessor<>();
    apiKeys.setJWSKeySelector(keys);
    apiKeys.setJWSVerifierFactory(VerificationKeys.verifierFactory());
    apiKeys.setJWTClaimsSetVerifier(new ApiKeyRules(clock, skew));
    this.skew = skew;
    rejections.putAll(rejectionCounters(registry));
  }

  /**
   * The counters {@code tidewire.gateway.token.rejections{reason}}, one per {@link Reason},
   * registered (at zero the first time) on {@code registry}.
   */
  public static Map<Reason, Counter> rejectionCounters(final MeterRegistry registry) {
    final Map<Reason, Counter> counters = new EnumMap<>(Reason.class);
    for (final Reason reason : Reason.values()) {
      counters.put(reason, Counter.builder("tidewire.gateway.token.rejections")
          .description("tokens refused (upgrades and auth ops)")
          .tag("reason", reason.name().toLowerCase(Locale.ROOT)).register(registry));
    }
    return counters;
  }

  /** HS256 only, with {@link TokenPolicy#defaults()} (UUID subjects, at most 24 h), uncounted. */
  public JwtVerifier(final byte[] secret, final Clock clock, final Duration skew) {
    this(Optional.of(secret), Optional.empty(), TokenPolicy.defaults(), clock, skew, new SimpleMeterRegistry());
  }

  /** As {@link #JwtVerifier(byte[], Clock, Duration)} on the system clock with {@link #DEFAULT_CLOCK_SKEW}. */
  public JwtVerifier(final byte[] secret) {
    this(secret, Clock.systemUTC(), DEFAULT_CLOCK_SKEW);
  }

  /** The clock skew allowed on {@code exp} and {@code nbf}. */
  public Duration clockSkew() {
    return skew;
  }

  /** Checks a token that may be absent. */
  public TokenVerdict verify(final Optional<String> token) {
    return token.map(this::verify).orElseGet(() -> rejected(Reason.MISSING, "no token"));
  }

  /** Checks a token. */
  public TokenVerdict verify(final String token) {
    return check(token, processor, false);
  }

  /**
   * Checks a Supabase API key ({@code apikey} of the Supabase Realtime endpoint): signed with the
   * deployment's keys like any token, with {@code exp} and {@code role} {@code anon} or
   * {@code authenticated}, no {@code sub}, audience or lifetime required. The principal's user id
   * is the key's {@code sub} if it is a user's token, else {@link #ANONYMOUS}.
   */
  public TokenVerdict verifyApiKey(final String token) {
    return check(token, apiKeys, true);
  }

  /** The user id of a principal that speaks for no user (an anon key). */
  public static final String ANONYMOUS = "";

  private TokenVerdict check(final String token, final DefaultJWTProcessor<SecurityContext> rules,
      final boolean apiKey) {
    if (token.isBlank()) {
      return rejected(Reason.MISSING, "no token");
    }
    final JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      return rejected(Reason.MALFORMED, "not a JWT: " + e.getMessage());
    }
    if (jwt instanceof PlainJWT) {
      return rejected(Reason.UNSUPPORTED_ALGORITHM, "unsigned token (alg none)");
    }
    if (jwt instanceof EncryptedJWT || !(jwt instanceof SignedJWT signed)) {
      return rejected(Reason.UNSUPPORTED_ALGORITHM, "encrypted token");
    }
    final JWSAlgorithm alg = signed.getHeader().getAlgorithm();
    if (!algorithms.contains(alg)) {
      return rejected(Reason.UNSUPPORTED_ALGORITHM, "algorithm " + alg + " not among " + algorithms);
    }
    final JWTClaimsSet claims;
    try {
      claims = rules.process(signed, null);
    } catch (ClaimRules.Refusal e) {
      return rejected(e.reason(), e.getMessage());
    } catch (BadJWTException e) {
      return rejected(Reason.MALFORMED, e.getMessage());
    } catch (BadJWSException e) {
      return rejected(Reason.BAD_SIGNATURE, e.getMessage() + " (" + alg + ", kid " + signed.getHeader().getKeyID() + ")");
    } catch (BadJOSEException e) {
      return rejected(Reason.UNKNOWN_KEY, e.getMessage() + " (" + alg + ", kid " + signed.getHeader().getKeyID() + ")");
    } catch (RateLimitReachedException e) {
      return rejected(Reason.UNKNOWN_KEY, "kid " + signed.getHeader().getKeyID()
          + " not in the cached JWKS, and its refresh is rate-limited");
    } catch (KeySourceException e) {
      return rejected(Reason.KEYS_UNAVAILABLE, "cannot fetch the JWKS: " + e.getMessage());
    } catch (JOSEException e) {
      return rejected(Reason.BAD_SIGNATURE, "cannot verify the signature: " + e.getMessage());
    }
    final String subject = claims.getSubject();
    final boolean user = !apiKey || subject != null && !subject.isBlank()
        && !ApiKeyRules.ANON.equals(claims.getClaim(ApiKeyRules.ROLE));
    return new TokenVerdict.Accepted(new Principal(user ? subject : ANONYMOUS,
        claims.getExpirationTime().toInstant()));
  }

  private TokenVerdict rejected(final Reason reason, final String detail) {
    rejections.get(reason).increment();
    LOG.debug("token refused, {}: {}", reason, detail);
    return new TokenVerdict.Rejected(reason, detail);
  }
}
