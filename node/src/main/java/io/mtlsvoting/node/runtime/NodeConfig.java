package io.mtlsvoting.node.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import io.mtlsvoting.node.config.ConfigProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Loads a node's configuration in the order an operator expects: environment variables ({@code
 * NODE_ID}, {@code LISTEN_ADDR}, ...) override the operator's file, which overrides the defaults in
 * {@code reference.conf}.
 */
public final class NodeConfig {
  /** Classpath resource holding only {@code key = ${?ENV}} lines. */
  static final String ENV_OVERRIDES = "env-overrides.conf";

  /** Classpath resource with the Pekko settings a node needs over the libraries' defaults. */
  static final String NODE_DEFAULTS = "node-defaults.conf";

  private NodeConfig() {}

  /**
   * The configuration from {@code file} (or {@code application.conf} on the classpath or in the
   * working directory when empty), with environment overrides on top.
   */
  public static Config load(Optional<Path> file) {
    Config operator;
    if (file.isPresent()) {
      Path f = file.get();
      if (!Files.isReadable(f)) {
        throw new ConfigProblem("--config", "cannot read config file " + f.toAbsolutePath());
      }
      operator =
          ConfigFactory.parseFile(f.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    } else if (Files.isReadable(Path.of("application.conf"))) {
      operator = ConfigFactory.parseFile(Path.of("application.conf").toFile());
    } else {
      operator = ConfigFactory.parseResourcesAnySyntax("application");
    }
    return withEnvironment(operator);
  }

  /** {@code operator} under the process environment's overrides, over the defaults, resolved. */
  public static Config withEnvironment(Config operator) {
    return withEnvironment(operator, System.getenv());
  }

  /**
   * {@code operator} under the overrides taken from {@code environment} (variable name to value, as
   * a container's environment), over the defaults, resolved.
   */
  public static Config withEnvironment(Config operator, Map<String, String> environment) {
    Config vars = ConfigFactory.parseMap(onlyPlainNames(environment));
    Config env =
        ConfigFactory.parseResources(NodeConfig.class.getClassLoader(), ENV_OVERRIDES)
            .resolveWith(vars, ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
    return ConfigFactory.parseProperties(System.getProperties())
        .withFallback(env)
        .withFallback(operator)
        .withFallback(
            ConfigFactory.parseResources(NodeConfig.class.getClassLoader(), NODE_DEFAULTS))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  /** Variable names with dots or other path syntax cannot be looked up and are left out. */
  private static Map<String, String> onlyPlainNames(Map<String, String> environment) {
    Map<String, String> out = new HashMap<>();
    environment.forEach(
        (k, v) -> {
          if (k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            out.put(k, v);
          }
        });
    return out;
  }
}
