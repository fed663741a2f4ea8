package io.tidewire.schemas;

import io.tidewire.schemas.avro.ContentAccess;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.PublicRowEvent;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.schemas.avro.UserState;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The schemas Tidewire released, so that a reader holding today's schemas can still decode records
 * written with an older one (single-object encoding names the writer's schema only by its
 * fingerprint), and so that a build check can hold every change to backward and forward
 * compatibility.
 *
 * <p>A release is a directory {@code schemas/src/released/<version>/} of self-contained writer
 * schemas, one {@code <Record>.avsc} per record type written to a public topic
 * ({@link #PUBLIC_TYPES}), exactly as the encoder of that release used them (nested records
 * inlined). They ship in this jar under {@code io/tidewire/schemas/released/}. To release the
 * current schemas, write them with {@link #main(String[])} into a new directory and add it to
 * {@link #VERSIONS}.
 *
 * <p>Stateless and thread-safe.
 */
public final class ReleasedSchemas {

  /** Released versions, oldest first (a test checks it against {@code src/released/}). */
  public static final List<String> VERSIONS = List.of("v1");

  /**
   * The record types written to public topics: the ones a release holds. A type added since the
   * last release (today {@code PublicRowEvent} and {@code ContentAccess}) is in no release until the next one; until then
   * docs/CONSUMERS.md lists its current fingerprint as "unreleased".
   */
  public static final List<Class<? extends SpecificRecordBase>> PUBLIC_TYPES =
      List.of(UserEvent.class, FeedEvent.class, UserState.class, PublicRowEvent.class,
          ContentAccess.class);

  private static final String RESOURCES = "/io/tidewire/schemas/released/";

  private ReleasedSchemas() {}

  /**
   * Every released schema of a record type, oldest first; empty if it was never released.
   *
   * @param record a record schema, e.g. {@code UserEvent.getClassSchema()}
   */
  public static List<Schema> of(final Schema record) {
    final List<Schema> released = new ArrayList<>();
    for (final String version : VERSIONS) {
      in(version, record.getName()).ifPresent(released::add);
    }
    return List.copyOf(released);
  }

  /** The schema of {@code recordName} (simple name) in release {@code version}, if it has one. */
  public static Optional<Schema> in(final String version, final String recordName) {
    final String resource = RESOURCES + version + "/" + recordName + ".avsc";
    try (InputStream in = ReleasedSchemas.class.getResourceAsStream(resource)) {
      return in == null ? Optional.empty() : Optional.of(new Schema.Parser().parse(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  /**
   * The 8 bytes that follow {@code C3 01} in a record's single-object encoding: the CRC-64-AVRO
   * fingerprint of the schema's Parsing Canonical Form, little-endian.
   */
  public static byte[] fingerprint(final Schema schema) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(SchemaNormalization.parsingFingerprint64(schema)).array();
  }

  /**
   * Writes the current {@link #PUBLIC_TYPES}, parsed from their {@code .avsc} sources (so the
   * release holds no Java-specific properties), into a release directory, self-contained.
   *
   * @param args the release directory, e.g. {@code schemas/src/released/v2}, and optionally the
   *     sources (default {@code schemas/src/main/avro})
   */
  public static void main(final String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: ReleasedSchemas RELEASE_DIR [SOURCE_DIR]   "
          + "(e.g. schemas/src/released/v2 schemas/src/main/avro)");
      System.exit(2);
    }
    final Path dir = Files.createDirectories(Path.of(args[0]));
    final Path sources = Path.of(args.length > 1 ? args[1] : "schemas/src/main/avro");
    final Schema.Parser parser = new Schema.Parser();
    try (Stream<Path> common = Files.list(sources.resolve("common"))) {
      for (final Path file : common.filter(f -> f.toString().endsWith(".avsc")).sorted().toList()) {
        parser.parse(file.toFile());
      }
    }
    for (final Class<? extends SpecificRecordBase> type : PUBLIC_TYPES) {
      final String name = type.getSimpleName();
      final Schema source = parser.parse(sources.resolve(name + ".avsc").toFile());
      final Path file = dir.resolve(name + ".avsc");
      Files.writeString(file, source.toString(true) + "\n", StandardCharsets.UTF_8);
      System.out.println("wrote " + file);
    }
  }
}
