package io.tidewire.gateway.auth;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the public keys of asymmetric tokens (RS256, ES256, EdDSA) come from: a JWKS document at
 * an {@code http(s)} URL or in a file, read through Nimbus's {@link JWKSourceBuilder}: cached for
 * {@code cacheTtl}, fetched again at once when a token names a key ({@code kid}) the cached set
 * lacks (so a new key works as soon as it is published), at most twice per
 * {@code refreshMinInterval}, and the last good set kept through an outage of the URL.
 *
 * @param location an {@code http}, {@code https} or {@code file} URI
 * @param cacheTtl how long a fetched set is used before it is fetched again
 * @param refreshMinInterval rate limit of fetches caused by unknown keys; shorter than {@code cacheTtl}
 */
public record JwksConfig(URI location, Duration cacheTtl, Duration refreshMinInterval) {

  /** Cache time unless configured otherwise. */
  public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(5);
  /** Rate limit unless configured otherwise. */
  public static final Duration DEFAULT_REFRESH_MIN_INTERVAL = Duration.ofSeconds(30);

  private static final int HTTP_TIMEOUT_MILLIS = 2_000;
  private static final int MAX_BYTES = 512 * 1024;

  public JwksConfig {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(cacheTtl, "cacheTtl");
    Objects.requireNonNull(refreshMinInterval, "refreshMinInterval");
    if (refreshMinInterval.compareTo(cacheTtl) >= 0) {
      throw new IllegalArgumentException("the JWKS refresh interval " + refreshMinInterval
          + " must be shorter than its cache time " + cacheTtl);
    }
    if (!isSupported(location)) {
      throw new IllegalArgumentException("a JWKS location is an http(s) URL or a file, got " + location);
    }
  }

  /**
   * Reads a location: an {@code http(s)://} URL, a {@code file:} URI, or a file path.
   *
   * @throws IllegalArgumentException if it is none of these
   */
  public static URI parseLocation(final String text) {
    final String lower = text.toLowerCase(Locale.ROOT);
    try {
      if (lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("file:")) {
        final URI uri = URI.create(text);
        uri.toURL();
        return uri;
      }
      return Path.of(text).toAbsolutePath().toUri();
    } catch (IllegalArgumentException | MalformedURLException e) { // InvalidPathException included
      throw new IllegalArgumentException("an http(s) URL or a file path, got '" + text + "'");
    }
  }

  /** Whether the location is a file (else a URL). */
  public boolean isFile() {
    return "file".equalsIgnoreCase(location.getScheme());
  }

  /** A new cached, rate-limited source of this JWKS; nothing is fetched before the first token. */
  public JWKSource<SecurityContext> source() {
    final URL url;
    try {
      url = location.toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("not a URL: " + location, e);
    }
    final ResourceRetriever retriever = isFile() ? JwksConfig::readFile
        : new DefaultResourceRetriever(HTTP_TIMEOUT_MILLIS, HTTP_TIMEOUT_MILLIS, MAX_BYTES);
    return JWKSourceBuilder.<SecurityContext>create(url, retriever)
        .cache(cacheTtl.toMillis(), JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT)
        .rateLimited(refreshMinInterval.toMillis())
        .outageTolerant(true)
        .build();
  }

  private static Resource readFile(final URL url) throws IOException {
    try {
      return new Resource(Files.readString(Path.of(url.toURI()), StandardCharsets.UTF_8), "application/json");
    } catch (java.net.URISyntaxException e) {
      throw new IOException("not a file: " + url, e);
    }
  }

  private static boolean isSupported(final URI uri) {
    final String scheme = uri.getScheme();
    return scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")
        || scheme.equalsIgnoreCase("file"));
  }
}
