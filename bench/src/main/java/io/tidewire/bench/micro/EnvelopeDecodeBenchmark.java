package io.tidewire.bench.micro;

import io.tidewire.processor.TableId;
import io.tidewire.processor.internals.ChangeEnvelope;
import io.tidewire.processor.internals.EnvelopeDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The processor's first step for every change record: decoding the capture's JSON envelope
 * ({@link EnvelopeDecoder}). The record is what the capture writes for the hot path, a generation
 * job's progress update with {@code REPLICA IDENTITY FULL} (whole before and after rows, Debezium's
 * source block), about 1.2 KB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EnvelopeDecodeBenchmark {

  private static final TableId TABLE = TableId.parse("public.generation_jobs");

  static final byte[] KEY = "{\"id\":\"5f0c8a52-2b1e-4c4b-9a4e-0f6f9d1b7a11\"}".getBytes(StandardCharsets.UTF_8);

  static final byte[] PROGRESS_UPDATE = ("{\"before\":{\"id\":\"5f0c8a52-2b1e-4c4b-9a4e-0f6f9d1b7a11\","
      + "\"user_id\":\"0b1d2c3e-4f50-4a61-8b72-93a4b5c6d7e8\",\"kind\":\"image\",\"status\":\"active\","
      + "\"progress\":40,\"prompt\":\"a lighthouse on a cliff at dusk, oil painting, warm light\","
      + "\"error\":null,\"result_url\":null,\"created_at\":\"2026-12-06T04:10:11.123456Z\","
      + "\"updated_at\":\"2026-12-06T04:10:13.654321Z\"},"
      + "\"after\":{\"id\":\"5f0c8a52-2b1e-4c4b-9a4e-0f6f9d1b7a11\","
      + "\"user_id\":\"0b1d2c3e-4f50-4a61-8b72-93a4b5c6d7e8\",\"kind\":\"image\",\"status\":\"active\","
      + "\"progress\":50,\"prompt\":\"a lighthouse on a cliff at dusk, oil painting, warm light\","
      + "\"error\":null,\"result_url\":null,\"created_at\":\"2026-12-06T04:10:11.123456Z\","
      + "\"updated_at\":\"2026-12-06T04:10:14.001122Z\"},"
      + "\"source\":{\"version\":\"3.1.2.Final\",\"connector\":\"postgresql\",\"name\":\"tidewire\","
      + "\"ts_ms\":1796530214001,\"snapshot\":\"false\",\"db\":\"tidewire\","
      + "\"sequence\":\"[\\\"24023928\\\",\\\"24024208\\\"]\",\"ts_us\":1796530214001122,"
      + "\"ts_ns\":1796530214001122000,\"schema\":\"public\",\"table\":\"generation_jobs\","
      + "\"txId\":7731,\"lsn\":24024208,\"xmin\":null},"
      + "\"transaction\":null,\"op\":\"u\",\"ts_ms\":1796530214010,\"ts_us\":1796530214010311,"
      + "\"ts_ns\":1796530214010311000}").getBytes(StandardCharsets.UTF_8);

  @Benchmark
  public ChangeEnvelope progressUpdate() {
    return EnvelopeDecoder.decode(TABLE, KEY, PROGRESS_UPDATE);
  }
}
