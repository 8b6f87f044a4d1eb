package io.mtlsvoting.persistence.etcd;

import java.time.Instant;
import java.util.Objects;

/**
 * What a live node publishes under {@code <prefix>members/<id>} for as long as its lease lives.
 *
 * @param address the node's mTLS listen address, {@code host:port}
 * @param certificateFingerprint SHA-256 hex of the node certificate
 * @param startedAt when the node started
 */
public record MemberInfo(String address, String certificateFingerprint, Instant startedAt) {
  /** Checks for nulls. */
  public MemberInfo {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(certificateFingerprint, "certificateFingerprint");
    Objects.requireNonNull(startedAt, "startedAt");
  }
}
