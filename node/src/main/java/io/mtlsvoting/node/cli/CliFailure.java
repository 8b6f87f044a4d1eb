package io.mtlsvoting.node.cli;

/** A client command failed; {@code exitCode} is 1 for failures and 2 for bad usage or input. */
final class CliFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  static final int FAILED = 1;
  static final int USAGE = 2;

  private final int exitCode;

  CliFailure(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  static CliFailure failed(String message) {
    return new CliFailure(FAILED, message);
  }

  static CliFailure usage(String message) {
    return new CliFailure(USAGE, message);
  }

  int exitCode() {
    return exitCode;
  }
}
