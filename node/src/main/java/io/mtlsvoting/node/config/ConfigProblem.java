package io.mtlsvoting.node.config;

/** Invalid node configuration; the message names the offending key and what is wrong with it. */
public final class ConfigProblem extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public ConfigProblem(String key, String problem) {
    super(key + ": " + problem);
    this.key = key;
  }

  public ConfigProblem(String key, String problem, Throwable cause) {
    super(key + ": " + problem, cause);
    this.key = key;
  }

  /** The full path of the offending key, e.g. {@code mtls-voting.node-id}. */
  public String key() {
    return key;
  }
}
