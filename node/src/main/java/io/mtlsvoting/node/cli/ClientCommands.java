package io.mtlsvoting.node.cli;

import picocli.CommandLine;

/** Registers the commands that talk to a running node over the control protocol. */
public final class ClientCommands {
  private ClientCommands() {}

  /** Adds vote, status, info, peers, test-byzantine, monitor, unban and verify-certificate. */
  public static void addTo(CommandLine root) {
    root.addSubcommand(new VoteCommand());
    root.addSubcommand(new StatusCommand());
    root.addSubcommand(new InfoCommand());
    root.addSubcommand(new PeersCommand());
    root.addSubcommand(new TestByzantineCommand());
    root.addSubcommand(new MonitorCommand());
    root.addSubcommand(new UnbanCommand());
    root.addSubcommand(new VerifyCertificateCommand());
  }
}
