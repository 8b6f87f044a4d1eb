package io.mtlsvoting.node.etcd;

/**
 * Marker for what the etcd package journals (outbox events and snapshots); bound to {@code
 * jackson-cbor} in node's reference.conf.
 */
public interface EtcdSerializable {}
