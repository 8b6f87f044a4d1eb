package io.mtlsvoting.protocol;

/** A node's answer to a {@link ClientRequest}, carrying the request's id. */
public sealed interface ClientReply extends Message
    permits SubmitVoteReply,
        StatusReply,
        InfoReply,
        PeersReply,
        TestByzantineReply,
        MonitorSnapshot,
        UnbanReply,
        ErrorReply {
  /** The id of the request this answers (0 when the request could not be read). */
  long requestId();
}
