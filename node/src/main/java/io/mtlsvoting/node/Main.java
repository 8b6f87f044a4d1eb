package io.mtlsvoting.node;

import io.mtlsvoting.node.cli.BenchCommand;
import io.mtlsvoting.node.cli.ClientCommands;
import io.mtlsvoting.node.cli.PostgresCommand;
import io.mtlsvoting.node.cli.RunCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code mtls-voting.jar}: the operator's command line (picocli). */
@Command(
    name = "mtls-voting",
    mixinStandardHelpOptions = true,
    subcommands = {RunCommand.class, PostgresCommand.class, BenchCommand.class},
    versionProvider = Main.Version.class,
    description = {
      "Byzantine-fault-tolerant threshold voting over mutual TLS 1.3.",
      "Nodes sign votes with Ed25519, tally them and agree when a threshold of nodes signs the same"
          + " value; cheating nodes are caught with evidence and banned."
    },
    footer = {"", "Run 'mtls-voting COMMAND --help' for the options of a command."})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits the JVM with its exit code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command tree, shared by {@link #main} and tests. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    ClientCommands.addTo(cl);
    return cl;
  }

  @Override
  public void run() {
    // No subcommand given: picocli prints the error and the usage, and exits with 2.
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
  }

  /** Reads the version from the jar manifest, falling back to "development". */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {
        "mtls-voting " + (v == null ? "development" : v),
        "Java " + System.getProperty("java.version")
      };
    }
  }
}
