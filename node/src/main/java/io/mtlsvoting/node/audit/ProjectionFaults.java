package io.mtlsvoting.node.audit;

import io.mtlsvoting.persistence.audit.AuditRow;
import io.mtlsvoting.persistence.audit.ProjectionOffset;
import java.util.List;

/**
 * Test hook of the audit projection, called on the JDBC dispatcher after a batch was read and
 * mapped and before it is written: a test throws here, or stops the actor system, to simulate a
 * crash between the journal write and the audit write.
 */
@FunctionalInterface
public interface ProjectionFaults {

  /** Production: no faults. */
  ProjectionFaults NONE = (rows, offset) -> {};

  /** Called before {@code rows} and {@code offset} are written; throwing aborts the write. */
  void beforeWrite(List<AuditRow> rows, ProjectionOffset offset);
}
