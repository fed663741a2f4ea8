package io.tidewire.gateway;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Files the gateway serves at {@code /} next to the WebSocket endpoint, e.g. the demo page: none,
 * a directory, or a classpath resource root (how the launcher ships the demo page in its jar).
 */
public sealed interface StaticContent {

  /** Serve nothing at {@code /} (404). */
  static StaticContent none() {
    return new None();
  }

  /** Serve the files of a directory. */
  static StaticContent directory(final Path directory) {
    return new Directory(directory);
  }

  /**
   * Serve classpath resources under {@code root}, e.g. {@code "web/"} serves
   * {@code web/index.html} at {@code /index.html} (and at {@code /}).
   */
  static StaticContent classpath(final ClassLoader loader, final String root) {
    return new Classpath(loader, root);
  }

  /** No static content. */
  record None() implements StaticContent {}

  /**
   * Files of a directory.
   *
   * @param directory the directory
   */
  record Directory(Path directory) implements StaticContent {
    public Directory {
      Objects.requireNonNull(directory, "directory");
    }
  }

  /**
   * Classpath resources.
   *
   * @param loader where to look
   * @param root resource path prefix, ending with {@code /}
   */
  record Classpath(ClassLoader loader, String root) implements StaticContent {
    public Classpath {
      Objects.requireNonNull(loader, "loader");
      Objects.requireNonNull(root, "root");
      root = root.startsWith("/") ? root.substring(1) : root;
      root = root.isEmpty() || root.endsWith("/") ? root : root + "/";
    }
  }
}
