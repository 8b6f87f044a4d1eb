package io.mtlsvoting.persistence.etcd;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Validated settings of the etcd coordination client, read once from the {@code mtls-voting.etcd}
 * block (or built in code); every error message names the offending key or entry.
 *
 * @param endpoints etcd client URLs, {@code http://host:port} or {@code https://host:port}; never
 *     empty (an empty list in config means etcd is disabled, see {@link #fromConfig})
 * @param prefix key prefix ending in {@code /}, by default {@code /mtls-voting/<cluster-id>/}
 * @param requestTimeout bound on every single request; a request that takes longer fails with
 *     {@link EtcdUnavailableException}
 * @param connectTimeout TCP connect timeout
 * @param leaseTtl TTL of the member lease, whole seconds, at least 2 s (etcd's minimum)
 * @param tls TLS files when etcd requires them; with https endpoints and no files the JDK's default
 *     trust store is used
 * @param consensusRetention how long a {@code consensus/<tx_id>} key stays in etcd at least (it is
 *     stored with a lease that ends between this and this plus {@link #consensusLeaseRotation()});
 *     zero keeps the keys for good
 */
public record EtcdSettings(
    List<URI> endpoints,
    String prefix,
    Duration requestTimeout,
    Duration connectTimeout,
    Duration leaseTtl,
    Optional<Tls> tls,
    Duration consensusRetention) {

  /** Default request timeout. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /** Default connect timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);

  /** Default member lease TTL. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);

  /** Default retention of the consensus keys. */
  public static final Duration DEFAULT_CONSENSUS_RETENTION = Duration.ofHours(24);

  /** Longest time one consensus lease is handed out before the next one is granted. */
  static final Duration MAX_CONSENSUS_LEASE_ROTATION = Duration.ofMinutes(1);

  private static final int DEFAULT_PORT = 2379;

  /**
   * PEM files for a TLS connection to etcd.
   *
   * @param caFile CA certificate(s) that signed etcd's server certificate
   * @param certFile client certificate for etcd's {@code --client-cert-auth}, with {@code keyFile}
   * @param keyFile PKCS#8 PEM private key of {@code certFile}
   */
  public record Tls(Path caFile, Optional<Path> certFile, Optional<Path> keyFile) {
    /** Checks that certificate and key come together. */
    public Tls {
      Objects.requireNonNull(caFile, "caFile");
      Objects.requireNonNull(certFile, "certFile");
      Objects.requireNonNull(keyFile, "keyFile");
      if (certFile.isPresent() != keyFile.isPresent()) {
        throw new IllegalArgumentException(
            "etcd tls: cert-file and key-file must be given together (got only one of them)");
      }
    }
  }

  /** Validates every field; see the record description for the rules. */
  public EtcdSettings {
    Objects.requireNonNull(endpoints, "endpoints");
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(tls, "tls");
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("etcd endpoints: at least one endpoint is required");
    }
    long https = endpoints.stream().filter(u -> "https".equals(u.getScheme())).count();
    if (https != 0 && https != endpoints.size()) {
      throw new IllegalArgumentException(
          "etcd endpoints: mix of http and https endpoints " + endpoints + "; use one scheme");
    }
    if (tls.isPresent() && https == 0) {
      throw new IllegalArgumentException(
          "etcd tls is configured but the endpoints " + endpoints + " are http; use https://");
    }
    if (!prefix.startsWith("/") || !prefix.endsWith("/") || prefix.length() < 2) {
      throw new IllegalArgumentException(
          "etcd prefix '" + prefix + "' must start and end with '/', e.g. /mtls-voting/c1/");
    }
    requirePositive("request-timeout", requestTimeout);
    requirePositive("connect-timeout", connectTimeout);
    requirePositive("lease-ttl", leaseTtl);
    if (leaseTtl.toSeconds() < 2 || leaseTtl.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException(
          "etcd lease-ttl must be whole seconds and at least 2s, got " + leaseTtl);
    }
    Objects.requireNonNull(consensusRetention, "consensus-retention");
    if (!consensusRetention.isZero()
        && (consensusRetention.toSeconds() < 1 || consensusRetention.toMillis() % 1000 != 0)) {
      throw new IllegalArgumentException(
          "etcd consensus-retention must be whole seconds and at least 1s, or off, got "
              + consensusRetention);
    }
  }

  /** As the canonical constructor, with the default consensus retention. */
  public EtcdSettings(
      List<URI> endpoints,
      String prefix,
      Duration requestTimeout,
      Duration connectTimeout,
      Duration leaseTtl,
      Optional<Tls> tls) {
    this(
        endpoints,
        prefix,
        requestTimeout,
        connectTimeout,
        leaseTtl,
        tls,
        DEFAULT_CONSENSUS_RETENTION);
  }

  /** The same settings with another consensus retention (zero: keep the keys for good). */
  public EtcdSettings withConsensusRetention(Duration retention) {
    return new EtcdSettings(
        endpoints, prefix, requestTimeout, connectTimeout, leaseTtl, tls, retention);
  }

  /**
   * How long one lease serves the consensus keys stored meanwhile before the next is granted: a
   * tenth of the retention, between 1 s and 1 minute (so one lease's expiry removes the keys of at
   * most a minute at once). Zero when keys are kept for good.
   */
  public Duration consensusLeaseRotation() {
    if (consensusRetention.isZero()) {
      return Duration.ZERO;
    }
    Duration tenth = consensusRetention.dividedBy(10);
    if (tenth.compareTo(Duration.ofSeconds(1)) < 0) {
      return Duration.ofSeconds(1);
    }
    return tenth.compareTo(MAX_CONSENSUS_LEASE_ROTATION) > 0 ? MAX_CONSENSUS_LEASE_ROTATION : tenth;
  }

  /**
   * TTL, in whole seconds, of a consensus lease: the retention plus the rotation, so a key stored
   * at the end of a lease's rotation still stays for the retention.
   */
  public long consensusLeaseTtlSeconds() {
    Duration ttl = consensusRetention.plus(consensusLeaseRotation());
    return (ttl.toMillis() + 999) / 1000;
  }

  /**
   * Settings with every default: prefix {@code /mtls-voting/<clusterId>/}, timeouts and TTL from
   * the {@code DEFAULT_*} constants, no TLS files.
   */
  public static EtcdSettings defaults(List<URI> endpoints, String clusterId) {
    return new EtcdSettings(
        endpoints,
        defaultPrefix(clusterId),
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_LEASE_TTL,
        Optional.empty());
  }

  /** {@code /mtls-voting/<clusterId>/}. */
  public static String defaultPrefix(String clusterId) {
    Objects.requireNonNull(clusterId, "clusterId");
    if (clusterId.isBlank() || clusterId.contains("/")) {
      throw new IllegalArgumentException(
          "cluster id '" + clusterId + "' cannot be used in an etcd prefix (blank or has '/')");
    }
    return "/mtls-voting/" + clusterId + "/";
  }

  /**
   * Parses an {@code ETCD_ENDPOINTS}-style list: comma-separated {@code http://host:port} URLs
   * (spaces around entries allowed, port defaults to 2379). A blank string gives an empty list.
   *
   * @throws IllegalArgumentException naming the bad entry and what is expected
   */
  public static List<URI> parseEndpoints(String text) {
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      return List.of();
    }
    List<URI> out = new ArrayList<>();
    for (String raw : text.split(",", -1)) {
      out.add(parseEndpoint(raw.trim()));
    }
    return List.copyOf(out);
  }

  private static URI parseEndpoint(String entry) {
    String expected = "expected http://host:port, e.g. http://127.0.0.1:2379";
    if (entry.isEmpty()) {
      throw new IllegalArgumentException("etcd endpoints: empty entry in the list; " + expected);
    }
    URI uri;
    try {
      uri = new URI(entry);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "etcd endpoint '" + entry + "' is not a URL (" + e.getReason() + "); " + expected, e);
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException(
          "etcd endpoint '" + entry + "' has no http:// or https:// scheme; " + expected);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("etcd endpoint '" + entry + "' has no host; " + expected);
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !"/".equals(path))
        || uri.getRawQuery() != null
        || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "etcd endpoint '" + entry + "' must be only scheme, host and port; " + expected);
    }
    int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
    return URI.create(scheme + "://" + uri.getHost() + ":" + port);
  }

  /**
   * Reads the {@code mtls-voting.etcd} block. {@code endpoints} may be a list of URLs or one
   * comma-separated string (so {@code endpoints = ${?ETCD_ENDPOINTS}} works); empty means etcd is
   * disabled and gives {@link Optional#empty()}. An empty {@code prefix} means the default for
   * {@code clusterId}; an empty {@code tls.ca-file} means no TLS files.
   *
   * @param etcd the block itself (e.g. {@code config.getConfig("mtls-voting.etcd")})
   * @throws IllegalArgumentException naming the key that is missing or wrong
   */
  public static Optional<EtcdSettings> fromConfig(Config etcd, String clusterId) {
    Objects.requireNonNull(etcd, "etcd");
    try {
      List<URI> endpoints;
      if (etcd.getValue("endpoints").valueType() == ConfigValueType.LIST) {
        endpoints = parseEndpoints(String.join(",", etcd.getStringList("endpoints")));
      } else {
        endpoints = parseEndpoints(etcd.getString("endpoints"));
      }
      if (endpoints.isEmpty()) {
        return Optional.empty();
      }
      String prefix = etcd.getString("prefix");
      Optional<Tls> tls = Optional.empty();
      String ca = etcd.getString("tls.ca-file");
      if (!ca.isBlank()) {
        tls =
            Optional.of(
                new Tls(
                    existingFile("tls.ca-file", ca),
                    optionalFile(etcd, "tls.cert-file"),
                    optionalFile(etcd, "tls.key-file")));
      }
      return Optional.of(
          new EtcdSettings(
              endpoints,
              prefix.isBlank() ? defaultPrefix(clusterId) : prefix,
              etcd.getDuration("request-timeout"),
              etcd.getDuration("connect-timeout"),
              etcd.getDuration("lease-ttl"),
              tls,
              consensusRetention(etcd)));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("mtls-voting.etcd: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("mtls-voting.etcd: " + e.getMessage(), e);
    }
  }

  /** {@code consensus-retention}: a duration, or {@code off} (kept for good). */
  private static Duration consensusRetention(Config etcd) {
    if (etcd.getValue("consensus-retention").valueType() == ConfigValueType.STRING
        && "off".equalsIgnoreCase(etcd.getString("consensus-retention").trim())) {
      return Duration.ZERO;
    }
    Duration d = etcd.getDuration("consensus-retention");
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(
          "consensus-retention must be a positive duration (e.g. 24h) or off, got " + d);
    }
    return d;
  }

  private static Optional<Path> optionalFile(Config etcd, String key) {
    String value = etcd.getString(key);
    return value.isBlank() ? Optional.empty() : Optional.of(existingFile(key, value));
  }

  private static Path existingFile(String key, String value) {
    Path p = Path.of(value);
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException(key + " '" + value + "' is not a readable file");
    }
    return p;
  }

  private static void requirePositive(String key, Duration d) {
    Objects.requireNonNull(d, key);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("etcd " + key + " must be positive, got " + d);
    }
  }
}
