package io.mtlsvoting.persistence.etcd;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The coordinator against an etcd that serves TLS only and requires client certificates. */
class EtcdTlsTest {
  @RegisterExtension static final EtcdExtension ETCD = EtcdExtension.withTls();

  @Test
  void worksWithCaAndClientCertificate() throws Exception {
    EtcdSettings s = ETCD.freshSettings(Duration.ofSeconds(5), Duration.ofSeconds(2));
    try (EtcdCoordinator c = EtcdCoordinator.connect(s)) {
      ClusterConfigRecord cfg = new ClusterConfigRecord("c1", 1, 3, 2, List.of(1, 2, 3));
      assertInstanceOf(
          ConfigResult.Created.class, c.createConfigIfAbsent(cfg).get(30, TimeUnit.SECONDS));
      assertInstanceOf(
          ConfigResult.SameExisting.class, c.createConfigIfAbsent(cfg).get(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void withoutClientCertificateTheRequestFailsClearly() throws Exception {
    EtcdSettings full = ETCD.freshSettings(Duration.ofSeconds(2), Duration.ofSeconds(2));
    EtcdSettings.Tls caOnly =
        new EtcdSettings.Tls(full.tls().orElseThrow().caFile(), Optional.empty(), Optional.empty());
    EtcdSettings s =
        new EtcdSettings(
            full.endpoints(),
            full.prefix(),
            full.requestTimeout(),
            full.connectTimeout(),
            full.leaseTtl(),
            Optional.of(caOnly));
    try (EtcdCoordinator c = EtcdCoordinator.connect(s)) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class, () -> c.getConsensus("tx-1").get(30, TimeUnit.SECONDS));
      EtcdUnavailableException cause =
          assertInstanceOf(EtcdUnavailableException.class, e.getCause());
      assertTrue(cause.getMessage().contains(ETCD.endpoint().toString()), cause.getMessage());
    }
  }
}
