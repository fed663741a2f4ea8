package io.tidewire.launcher;

import io.tidewire.launcher.tail.TailCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code tidewire} command. */
@Command(name = "tidewire", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {"Live, replayable per-user event streams from PostgreSQL over WebSocket.", ""},
    subcommands = {DemoCommand.class, PartCommand.Capture.class, PartCommand.Process.class,
        BrokerCommand.class,
        PartCommand.GatewayPart.class, TokenCommand.class, TailCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Run 'tidewire help COMMAND' for a command's options. Settings of capture, "
        + "process and gateway come from TIDEWIRE_* environment variables (see README.md).",
        "Benchmarks: 'bin/tidewire bench --help' (the bench module; docs/BENCHMARKS.md)."})
public final class Main implements Runnable {

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  public static void main(final String[] args) {
    // Grizzly and Tyrus log through java.util.logging: route it to Log4j before anything logs
    System.setProperty("java.util.logging.manager", "org.apache.logging.log4j.jul.LogManager");
    final int code = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true)
        .execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      final String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"tidewire " + (v == null ? "(development build)" : v)};
    }
  }
}
