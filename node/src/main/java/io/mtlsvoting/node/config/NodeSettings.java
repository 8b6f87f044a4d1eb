package io.mtlsvoting.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.mtlsvoting.protocol.InvalidInputException;
import io.mtlsvoting.protocol.Protocol;
import io.mtlsvoting.protocol.Quorum;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The validated {@code mtls-voting} configuration of one node, read once from Typesafe Config by
 * {@link #load(Config)}; every problem is reported as a {@link ConfigProblem} naming the key.
 */
public record NodeSettings(
    int nodeId,
    InetSocketAddress listenAddress,
    String clusterId,
    Map<Integer, InetSocketAddress> members,
    Quorum quorum,
    Duration voteTimeout,
    Tls tls,
    int maxFrameBytes,
    int outboundQueueSize,
    Duration pingInterval,
    Duration peerSilenceDeadline,
    Duration handshakeTimeout,
    Duration supersededLinger,
    Backoff backoff,
    boolean byzantineTesting) {

  /** Root path of the settings block. */
  public static final String ROOT = "mtls-voting";

  /** TLS material: CA certificate (only trust anchor), own certificate and key, optional CRL. */
  public record Tls(Path caCert, Path nodeCert, Path nodeKey, Optional<Path> crl) {
    public Tls {
      Objects.requireNonNull(caCert, "caCert");
      Objects.requireNonNull(nodeCert, "nodeCert");
      Objects.requireNonNull(nodeKey, "nodeKey");
      Objects.requireNonNull(crl, "crl");
    }
  }

  /** Exponential redial backoff with jitter. */
  public record Backoff(Duration min, Duration max, double randomFactor) {
    public Backoff {
      Objects.requireNonNull(min, "min");
      Objects.requireNonNull(max, "max");
    }
  }

  public NodeSettings {
    Objects.requireNonNull(listenAddress, "listenAddress");
    Objects.requireNonNull(clusterId, "clusterId");
    members = Collections.unmodifiableMap(new TreeMap<>(members));
    Objects.requireNonNull(quorum, "quorum");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(backoff, "backoff");
  }

  /** Ids of the other members, ascending. */
  public java.util.List<Integer> peerIds() {
    return members.keySet().stream().filter(id -> id != nodeId).toList();
  }

  /** The hash both sides compare in Hello: n, t and the member ids. */
  public String configHash() {
    return Protocol.configHash(quorum.n(), quorum.t(), members.keySet());
  }

  /** Reads and validates the {@code mtls-voting} block of {@code root}. */
  public static NodeSettings load(Config root) {
    Objects.requireNonNull(root, "root");
    if (!root.hasPath(ROOT)) {
      throw new ConfigProblem(ROOT, "missing configuration block");
    }
    Reader r = new Reader(root.getConfig(ROOT));
    int nodeId = r.positiveInt("node-id");
    InetSocketAddress listen = Addresses.parse(key("listen-address"), r.string("listen-address"));
    String clusterId = r.string("cluster-id");
    if (clusterId.isBlank()) {
      throw new ConfigProblem(key("cluster-id"), "must not be empty");
    }
    Map<Integer, InetSocketAddress> members = Membership.read(r, nodeId, listen);
    int n = r.positiveInt("total-nodes");
    int t = r.positiveInt("threshold");
    Quorum quorum;
    try {
      quorum = new Quorum(n, t);
    } catch (InvalidInputException e) {
      throw new ConfigProblem(key("threshold"), e.getMessage(), e);
    }
    if (members.size() != n) {
      throw new ConfigProblem(
          key("members"),
          "has "
              + members.size()
              + " members "
              + members.keySet()
              + " but "
              + key("total-nodes")
              + " is "
              + n);
    }
    if (!members.containsKey(nodeId)) {
      throw new ConfigProblem(
          key("node-id"), "node id " + nodeId + " is not among the members " + members.keySet());
    }
    Duration voteTimeout =
        r.has("vote-timeout-secs")
            ? Duration.ofSeconds(r.positiveInt("vote-timeout-secs"))
            : r.positiveDuration("vote-timeout");
    Tls tls =
        new Tls(
            r.readableFile("tls.ca-cert"),
            r.readableFile("tls.node-cert"),
            r.readableFile("tls.node-key"),
            r.string("tls.crl").isBlank()
                ? Optional.empty()
                : Optional.of(r.readableFile("tls.crl")));
    int maxFrame = r.positiveInt("max-frame-bytes");
    int queue = r.positiveInt("outbound-queue-size");
    Duration ping = r.positiveDuration("ping-interval");
    Duration silence = r.positiveDuration("peer-silence-deadline");
    if (silence.compareTo(ping) <= 0) {
      throw new ConfigProblem(
          key("peer-silence-deadline"),
          "must be longer than ping-interval (" + silence + " <= " + ping + ")");
    }
    Duration handshake = r.positiveDuration("handshake-timeout");
    Duration linger = r.positiveDuration("superseded-linger");
    Duration min = r.positiveDuration("backoff.min");
    Duration max = r.positiveDuration("backoff.max");
    if (max.compareTo(min) < 0) {
      throw new ConfigProblem(key("backoff.max"), "must not be below backoff.min");
    }
    double factor = r.doubleValue("backoff.random-factor");
    if (factor < 0 || factor > 10 || Double.isNaN(factor)) {
      throw new ConfigProblem(key("backoff.random-factor"), "must be between 0 and 10");
    }
    boolean byzantine = r.bool("byzantine-testing");
    return new NodeSettings(
        nodeId,
        listen,
        clusterId,
        members,
        quorum,
        voteTimeout,
        tls,
        maxFrame,
        queue,
        ping,
        silence,
        handshake,
        linger,
        new Backoff(min, max, factor),
        byzantine);
  }

  static String key(String relative) {
    return ROOT + "." + relative;
  }

  /** Typed reads that turn Typesafe Config errors into {@link ConfigProblem}s. */
  static final class Reader {
    private final Config config;

    Reader(Config config) {
      this.config = config;
    }

    boolean has(String path) {
      return config.hasPath(path);
    }

    Config config() {
      return config;
    }

    String string(String path) {
      try {
        return config.getString(path);
      } catch (ConfigException.Missing e) {
        throw new ConfigProblem(key(path), "missing key");
      } catch (ConfigException e) {
        throw new ConfigProblem(key(path), "expected a string: " + e.getMessage(), e);
      }
    }

    int positiveInt(String path) {
      int value;
      try {
        value = config.getInt(path);
      } catch (ConfigException.Missing e) {
        throw new ConfigProblem(key(path), "missing key");
      } catch (ConfigException e) {
        throw new ConfigProblem(key(path), "expected an integer: " + e.getMessage(), e);
      }
      if (value < 1) {
        throw new ConfigProblem(key(path), "must be a positive integer (got " + value + ")");
      }
      return value;
    }

    double doubleValue(String path) {
      try {
        return config.getDouble(path);
      } catch (ConfigException.Missing e) {
        throw new ConfigProblem(key(path), "missing key");
      } catch (ConfigException e) {
        throw new ConfigProblem(key(path), "expected a number: " + e.getMessage(), e);
      }
    }

    boolean bool(String path) {
      try {
        return config.getBoolean(path);
      } catch (ConfigException.Missing e) {
        throw new ConfigProblem(key(path), "missing key");
      } catch (ConfigException e) {
        throw new ConfigProblem(key(path), "expected on/off: " + e.getMessage(), e);
      }
    }

    Duration positiveDuration(String path) {
      Duration d;
      try {
        d = config.getDuration(path);
      } catch (ConfigException.Missing e) {
        throw new ConfigProblem(key(path), "missing key");
      } catch (ConfigException e) {
        throw new ConfigProblem(key(path), "expected a duration such as 5s: " + e.getMessage(), e);
      }
      if (d.isNegative() || d.isZero()) {
        throw new ConfigProblem(key(path), "must be a positive duration (got " + d + ")");
      }
      return d;
    }

    Path readableFile(String path) {
      String value = string(path);
      if (value.isBlank()) {
        throw new ConfigProblem(key(path), "no file given");
      }
      Path file = Path.of(value);
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw new ConfigProblem(key(path), "file " + file.toAbsolutePath() + " is not readable");
      }
      return file;
    }
  }
}
