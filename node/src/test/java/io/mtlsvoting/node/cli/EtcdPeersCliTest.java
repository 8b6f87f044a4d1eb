package io.mtlsvoting.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.persistence.db.PostgresExtension;
import io.mtlsvoting.persistence.etcd.EtcdExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peers} shows etcd's view of each member (its lease-backed members/ key) beside the mesh.
 */
class EtcdPeersCliTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final EtcdExtension etcd = new EtcdExtension();
  @TempDir Path certs;

  private static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void peersShowsEveryOtherMemberLiveInEtcd() throws Exception {
    Map<String, Object> extra =
        Map.of(
            "mtls-voting.etcd.endpoints",
            etcd.endpoint().toString(),
            "mtls-voting.etcd.prefix",
            "/peers-" + System.nanoTime() + "/");
    try (CliCluster c = new CliCluster(certs, postgres.jdbcUrl(), 5, 4, Set.of(), extra)) {
      long deadline = System.nanoTime() + 60_000_000_000L;
      CliCluster.Result r;
      do {
        r = c.cli("peers", "--node", "1", "--json");
        assertEquals(0, r.exit(), r.toString());
        if (count(r.out(), "\"etcdMember\"\\s*:\\s*\"live\"") == 4) {
          break;
        }
        Thread.sleep(200);
      } while (System.nanoTime() < deadline);
      assertEquals(4, count(r.out(), "\"etcdMember\"\\s*:\\s*\"live\""), r.toString());
      CliCluster.Result human = c.cli("peers", "--node", "1");
      assertTrue(human.out().contains("etcd") && human.out().contains("live"), human.toString());
    }
  }
}
