package io.tidewire.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BusyPortsTest {

  @Test
  void aBusyPortIsOneLineNamingItsOption() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      final List<String> busy = BusyPorts.find(List.of(
          new BusyPorts.Wanted("--kafka-port", "127.0.0.1", taken.getLocalPort()),
          new BusyPorts.Wanted("--port", "127.0.0.1", 0)));
      assertThat(busy).singleElement().asString()
          .contains("port " + taken.getLocalPort()).contains("--kafka-port").doesNotContain("\n");
    }
  }

  @Test
  void freePortsAreNotReported() throws Exception {
    final int free;
    try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      free = probe.getLocalPort();
    }
    assertThat(BusyPorts.find(List.of(new BusyPorts.Wanted("--port", "127.0.0.1", free)))).isEmpty();
  }

  @Test
  void demoRefusesABusyPortWithExitCodeTwoBeforeStartingAnything() throws Exception {
    final PrintStream err = System.err;
    final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      final int exit = new CommandLine(new DemoCommand()).execute("--pg-port",
          String.valueOf(taken.getLocalPort()), "--port", "0", "--kafka-port", "0");
      assertThat(exit).isEqualTo(2);
      assertThat(captured.toString(StandardCharsets.UTF_8).strip().lines())
          .singleElement().asString().startsWith("tidewire demo: port " + taken.getLocalPort())
          .contains("--pg-port");
    } finally {
      System.setErr(err);
    }
  }
}
