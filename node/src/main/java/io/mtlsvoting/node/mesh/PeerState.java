package io.mtlsvoting.node.mesh;

/** Connection state of one peer as seen from this node. */
public enum PeerState {
  /** No connection; a redial is scheduled. */
  DISCONNECTED,
  /** Dialling: TCP connect and TLS handshake in progress. */
  CONNECTING,
  /** TCP connected; waiting for the TLS handshake and the peer's Hello. */
  HANDSHAKING,
  /** Hello exchanged both ways; messages flow. */
  CONNECTED
}
