package io.mtlsvoting.persistence.etcd;

import java.util.Objects;

/** A change under {@code <prefix>banned/}, delivered by {@link EtcdCoordinator#watchBans}. */
public sealed interface BanEvent {

  /** The node the event is about. */
  int nodeId();

  /** The etcd revision of the change (deleted keys: the revision of the delete). */
  long revision();

  /**
   * A node is banned (new ban or updated evidence).
   *
   * @param nodeId the banned node
   * @param banJson the ban record with its evidence, as written by {@link EtcdCoordinator#putBan}
   * @param revision the etcd modification revision
   */
  record Banned(int nodeId, String banJson, long revision) implements BanEvent {
    /** Checks for null. */
    public Banned {
      Objects.requireNonNull(banJson, "banJson");
    }
  }

  /**
   * A ban was lifted (operator {@code unban}).
   *
   * @param nodeId the node no longer banned
   * @param revision the etcd revision of the delete
   */
  record Unbanned(int nodeId, long revision) implements BanEvent {}
}
