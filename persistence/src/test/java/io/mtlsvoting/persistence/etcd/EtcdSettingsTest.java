package io.mtlsvoting.persistence.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Endpoint parsing and settings validation, without etcd. */
class EtcdSettingsTest {
  private static final String BLOCK =
      "prefix = \"\"\nrequest-timeout = 2s\nconnect-timeout = 1s\nlease-ttl = 6s\n"
          + "tls { ca-file = \"\", cert-file = \"\", key-file = \"\" }\n"
          + "consensus-retention = 24h\n";

  private static IllegalArgumentException parseFails(String text) {
    return assertThrows(IllegalArgumentException.class, () -> EtcdSettings.parseEndpoints(text));
  }

  @Test
  void parsesCommaSeparatedEndpointsWithDefaultPort() {
    assertEquals(
        List.of(
            URI.create("http://etcd1:2379"),
            URI.create("http://10.0.0.2:2380"),
            URI.create("http://etcd3:2379")),
        EtcdSettings.parseEndpoints(" http://etcd1:2379 ,http://10.0.0.2:2380, http://etcd3/"));
    assertEquals(List.of(), EtcdSettings.parseEndpoints("  "));
  }

  @Test
  void badEndpointsAreRefusedNamingTheEntry() {
    assertTrue(parseFails("etcd1:2379").getMessage().contains("'etcd1:2379'"));
    assertTrue(parseFails("etcd1:2379").getMessage().contains("http://host:port"));
    assertTrue(parseFails("ftp://etcd1:2379").getMessage().contains("scheme"));
    assertTrue(parseFails("http://etcd1:2379,,http://b:1").getMessage().contains("empty entry"));
    assertTrue(parseFails("http://etcd1:2379/v3").getMessage().contains("only scheme"));
    assertTrue(parseFails("http://[bad").getMessage().contains("not a URL"));
  }

  @Test
  void validatesPrefixTimeoutsTtlAndTls() {
    List<URI> http = List.of(URI.create("http://a:2379"));
    Duration s = Duration.ofSeconds(1);
    assertThrows(
        IllegalArgumentException.class,
        () -> new EtcdSettings(http, "no-slash", s, s, Duration.ofSeconds(5), Optional.empty()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new EtcdSettings(http, "/p/", s, s, Duration.ofSeconds(1), Optional.empty()));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new EtcdSettings(
                http, "/p/", Duration.ZERO, s, Duration.ofSeconds(5), Optional.empty()));
    assertThrows(
        IllegalArgumentException.class,
        () -> new EtcdSettings(List.of(), "/p/", s, s, Duration.ofSeconds(5), Optional.empty()));
    List<URI> mixed = List.of(URI.create("http://a:2379"), URI.create("https://b:2379"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new EtcdSettings(mixed, "/p/", s, s, Duration.ofSeconds(5), Optional.empty()));
    Optional<EtcdSettings.Tls> tls =
        Optional.of(
            new EtcdSettings.Tls(
                java.nio.file.Path.of("ca.crt"), Optional.empty(), Optional.empty()));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new EtcdSettings(http, "/p/", s, s, Duration.ofSeconds(5), tls));
    assertTrue(e.getMessage().contains("https"));
  }

  private static EtcdSettings withRetention(String value) {
    return EtcdSettings.fromConfig(
            ConfigFactory.parseString(
                    "endpoints = \"http://a:1\"\nconsensus-retention = " + value + "\n")
                .withFallback(ConfigFactory.parseString(BLOCK)),
            "c1")
        .orElseThrow();
  }

  @Test
  void consensusRetentionIsADurationOrOff() {
    assertEquals(Duration.ofHours(24), withRetention("24h").consensusRetention());
    assertEquals(Duration.ofSeconds(90), withRetention("90s").consensusRetention());
    assertEquals(Duration.ZERO, withRetention("off").consensusRetention());
    assertEquals(Duration.ZERO, withRetention("\"OFF\"").consensusRetention());
    for (String bad : List.of("0s", "-5s", "500ms", "1500ms", "soon")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> withRetention(bad), bad);
      assertTrue(e.getMessage().contains("consensus-retention"), e.getMessage());
    }
  }

  @Test
  void consensusLeasesRotateEveryTenthOfTheRetentionBetweenOneSecondAndOneMinute() {
    EtcdSettings day = withRetention("24h");
    assertEquals(Duration.ofMinutes(1), day.consensusLeaseRotation());
    assertEquals(24 * 3600 + 60, day.consensusLeaseTtlSeconds());
    EtcdSettings halfMinute = withRetention("30s");
    assertEquals(Duration.ofSeconds(3), halfMinute.consensusLeaseRotation());
    assertEquals(33, halfMinute.consensusLeaseTtlSeconds());
    EtcdSettings short5 = withRetention("5s");
    assertEquals(Duration.ofSeconds(1), short5.consensusLeaseRotation());
    assertEquals(6, short5.consensusLeaseTtlSeconds());
    // A rotation that is not whole seconds rounds the TTL up: 15 s + 1.5 s.
    assertEquals(17, withRetention("15s").consensusLeaseTtlSeconds());
    EtcdSettings off = withRetention("off");
    assertEquals(Duration.ZERO, off.consensusLeaseRotation());
  }

  @Test
  void settingsBuiltInCodeKeepConsensusKeysForTheDefaultRetention() {
    EtcdSettings s = EtcdSettings.defaults(List.of(URI.create("http://a:2379")), "c1");
    assertEquals(EtcdSettings.DEFAULT_CONSENSUS_RETENTION, s.consensusRetention());
    assertEquals(
        Duration.ofSeconds(7),
        s.withConsensusRetention(Duration.ofSeconds(7)).consensusRetention());
  }

  @Test
  void readsTheConfigBlockWithListOrCommaStringAndDefaultPrefix() {
    Config list =
        ConfigFactory.parseString("endpoints = [\"http://a:1\", \"http://b:2\"]\n" + BLOCK);
    EtcdSettings s = EtcdSettings.fromConfig(list, "c1").orElseThrow();
    assertEquals(List.of(URI.create("http://a:1"), URI.create("http://b:2")), s.endpoints());
    assertEquals("/mtls-voting/c1/", s.prefix());
    assertEquals(Duration.ofSeconds(2), s.requestTimeout());
    assertEquals(Duration.ofSeconds(6), s.leaseTtl());
    assertEquals(Optional.empty(), s.tls());

    Config string = ConfigFactory.parseString("endpoints = \"http://a:1,http://b:2\"\n" + BLOCK);
    assertEquals(s, EtcdSettings.fromConfig(string, "c1").orElseThrow());
  }

  @Test
  void environmentStringOverridesTheDefaultList() {
    // The variable sits at the root here, as the environment does for ConfigFactory.load().
    String block = "etcd {\nendpoints = []\nendpoints = ${?ETCD_ENDPOINTS}\n" + BLOCK + "}";
    Config withEnv =
        ConfigFactory.parseString("ETCD_ENDPOINTS = \"http://e1:2379,http://e2:2379\"\n" + block)
            .resolve();
    assertEquals(
        List.of(URI.create("http://e1:2379"), URI.create("http://e2:2379")),
        EtcdSettings.fromConfig(withEnv.getConfig("etcd"), "c1").orElseThrow().endpoints());
    Config withoutEnv = ConfigFactory.parseString(block).resolve();
    assertEquals(Optional.empty(), EtcdSettings.fromConfig(withoutEnv.getConfig("etcd"), "c1"));
  }

  @Test
  void emptyEndpointsDisableEtcd() {
    Config empty = ConfigFactory.parseString("endpoints = []\n" + BLOCK);
    assertEquals(Optional.empty(), EtcdSettings.fromConfig(empty, "c1"));
    Config blank = ConfigFactory.parseString("endpoints = \"\"\n" + BLOCK);
    assertEquals(Optional.empty(), EtcdSettings.fromConfig(blank, "c1"));
  }

  @Test
  void configErrorsNameTheBlockAndKey() {
    Config bad = ConfigFactory.parseString("endpoints = [\"etcd:2379\"]\n" + BLOCK);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> EtcdSettings.fromConfig(bad, "c1"));
    assertTrue(
        e.getMessage().startsWith("mtls-voting.etcd: etcd endpoint 'etcd:2379'"), e.getMessage());
    Config missing = ConfigFactory.parseString("endpoints = [\"http://a:1\"]");
    e = assertThrows(IllegalArgumentException.class, () -> EtcdSettings.fromConfig(missing, "c1"));
    assertTrue(e.getMessage().contains("prefix"), e.getMessage());
    Config missingCa =
        ConfigFactory.parseString(
            "endpoints = [\"https://a:1\"]\n"
                + BLOCK.replace("ca-file = \"\"", "ca-file = \"/nonexistent/ca.crt\""));
    e =
        assertThrows(
            IllegalArgumentException.class, () -> EtcdSettings.fromConfig(missingCa, "c1"));
    assertTrue(e.getMessage().contains("tls.ca-file '/nonexistent/ca.crt'"), e.getMessage());
  }
}
