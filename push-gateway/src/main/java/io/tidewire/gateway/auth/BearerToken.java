package io.tidewire.gateway.auth;

import io.tidewire.protocol.Protocol;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the token of an upgrade request: the {@code token} query parameter, else an
 * {@code Authorization: Bearer …} header. Header names match case-insensitively.
 *
 * <p>Stateless and thread-safe.
 */
public final class BearerToken {

  /** The query parameter that carries the token. */
  public static final String QUERY_PARAMETER = Protocol.TOKEN_QUERY_PARAMETER;

  private static final String BEARER = Protocol.BEARER_SCHEME.toLowerCase(Locale.ROOT) + " ";

  private BearerToken() {}

  /**
   * @param queryParameters decoded query parameters
   * @param headers request headers
   * @return the token, if one was given
   */
  public static Optional<String> find(final Map<String, List<String>> queryParameters,
      final Map<String, List<String>> headers) {
    final List<String> fromQuery = queryParameters.get(QUERY_PARAMETER);
    if (fromQuery != null) {
      for (final String value : fromQuery) {
        if (value != null && !value.isBlank()) {
          return Optional.of(value.strip());
        }
      }
    }
    for (final Map.Entry<String, List<String>> header : headers.entrySet()) {
      if ("authorization".equalsIgnoreCase(header.getKey()) && header.getValue() != null) {
        for (final String value : header.getValue()) {
          final Optional<String> token = fromAuthorization(value);
          if (token.isPresent()) {
            return token;
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The token of a raw query string ({@code a=1&token=…}), URL-decoded; malformed escapes are
   * ignored.
   */
  public static Optional<String> fromQueryString(final String query) {
    return parameter(query, QUERY_PARAMETER);
  }

  /**
   * The first non-blank value of parameter {@code parameter} in a raw query string, URL-decoded;
   * malformed escapes are ignored.
   */
  public static Optional<String> parameter(final String query, final String parameter) {
    if (query == null || query.isEmpty()) {
      return Optional.empty();
    }
    for (final String pair : query.split("&")) {
      final int eq = pair.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      try {
        final String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
        if (parameter.equals(name)) {
          final String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).strip();
          if (!value.isEmpty()) {
            return Optional.of(value);
          }
        }
      } catch (IllegalArgumentException e) {
        // a malformed escape: not a token
      }
    }
    return Optional.empty();
  }

  /** The token of one {@code Authorization} header value, if it is a bearer credential. */
  public static Optional<String> fromAuthorization(final String value) {
    if (value == null || value.length() <= BEARER.length()
        || !value.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return Optional.empty();
    }
    final String token = value.substring(BEARER.length()).strip();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }
}
