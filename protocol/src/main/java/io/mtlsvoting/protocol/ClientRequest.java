package io.mtlsvoting.protocol;

/** A request from the CLI to a node; the node answers with a {@link ClientReply} of the same id. */
public sealed interface ClientRequest extends Message
    permits SubmitVoteRequest,
        StatusRequest,
        InfoRequest,
        PeersRequest,
        TestByzantineRequest,
        MonitorRequest,
        UnbanRequest {
  /** Correlates the reply with this request; chosen by the client. */
  long requestId();
}
