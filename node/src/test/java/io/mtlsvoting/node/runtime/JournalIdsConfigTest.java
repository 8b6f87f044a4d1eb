package io.mtlsvoting.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.node.etcd.EtcdWriter;
import io.mtlsvoting.node.tally.BanRegistry;
import io.mtlsvoting.node.tally.VoteTally;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The journal's filter of known ids covers exactly the persistence ids of the node it runs in. */
class JournalIdsConfigTest {

  private static final Config DEFAULTS = ConfigFactory.load();

  @Test
  void byDefaultTheFilterCoversThisNodesOwnIds() {
    String prefix =
        NodeRuntime.withOwnJournalIds(DEFAULTS, 3).getString(NodeRuntime.KNOWN_IDS_PREFIX);

    assertEquals("node-3|", prefix);
    for (String id :
        List.of(
            VoteTally.persistenceId(3, "tx-1").id(),
            EtcdWriter.persistenceId(3).id(),
            BanRegistry.persistenceId(3).id())) {
      assertTrue(id.startsWith(prefix), id);
    }
    // Node 31's ids are not node 3's.
    assertTrue(!VoteTally.persistenceId(31, "tx-1").id().startsWith(prefix));
  }

  @Test
  void aConfiguredPrefixIsKept() {
    Config configured =
        ConfigFactory.parseString(NodeRuntime.KNOWN_IDS_PREFIX + " = \"shared|\"")
            .withFallback(DEFAULTS);

    assertEquals(
        "shared|",
        NodeRuntime.withOwnJournalIds(configured, 3).getString(NodeRuntime.KNOWN_IDS_PREFIX));
  }
}
