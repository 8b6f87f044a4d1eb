package io.mtlsvoting.node.audit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class AuditSettingsTest {

  @Test
  void theProjectionCommitsWithoutWaitingForTheWalFlushUnlessConfigured() {
    assertFalse(AuditSettings.fromConfig(ConfigFactory.load()).synchronousCommit());
    assertTrue(
        AuditSettings.fromConfig(
                ConfigFactory.parseString("mtls-voting.audit.synchronous-commit = on")
                    .withFallback(ConfigFactory.load()))
            .synchronousCommit());
  }

  @Test
  void aValueThatIsNoBooleanIsRefusedNamingTheKey() {
    var e =
        assertThrows(
            ConfigException.WrongType.class,
            () ->
                AuditSettings.fromConfig(
                    ConfigFactory.parseString("mtls-voting.audit.synchronous-commit = sometimes")
                        .withFallback(ConfigFactory.load())));
    assertTrue(e.getMessage().contains("synchronous-commit"), e.getMessage());
  }
}
