package io.tidewire.settings;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where settings come from: the environment, over an optional file of {@code TIDEWIRE_…=value}
 * lines ({@link Properties} syntax: {@code #} comments, {@code \} escapes). A variable set in the
 * environment wins over the file, so a file holds the defaults of a deployment and the
 * environment what differs.
 */
public final class SettingsSource {

  private SettingsSource() {}

  /**
   * @param file the {@code --config} file, if any
   * @param env usually {@code System.getenv()}
   * @return the file's values (trimmed) overridden by the environment's
   * @throws IOException if the file cannot be read
   */
  public static Map<String, String> load(final Optional<Path> file, final Map<String, String> env)
      throws IOException {
    final Map<String, String> merged = new HashMap<>();
    if (file.isPresent()) {
      final Properties lines = new Properties();
      try (Reader in = Files.newBufferedReader(file.get())) {
        lines.load(in);
      }
      lines.stringPropertyNames().forEach(k -> merged.put(k, lines.getProperty(k).trim()));
    }
    merged.putAll(env);
    return merged;
  }
}
