package io.mtlsvoting.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Every message that crosses the wire, peer-to-peer or client-to-node. Encoded by {@link
 * MessageCodec} as a CBOR map whose {@code type} entry names the record.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Hello.class, name = "hello"),
  @JsonSubTypes.Type(value = Vote.class, name = "vote"),
  @JsonSubTypes.Type(value = Evidence.class, name = "evidence"),
  @JsonSubTypes.Type(value = Echo.class, name = "echo"),
  @JsonSubTypes.Type(value = VoteRequest.class, name = "vote-request"),
  @JsonSubTypes.Type(value = Ping.class, name = "ping"),
  @JsonSubTypes.Type(value = Pong.class, name = "pong"),
  @JsonSubTypes.Type(value = SubmitVoteRequest.class, name = "submit-vote"),
  @JsonSubTypes.Type(value = StatusRequest.class, name = "status"),
  @JsonSubTypes.Type(value = InfoRequest.class, name = "info"),
  @JsonSubTypes.Type(value = PeersRequest.class, name = "peers"),
  @JsonSubTypes.Type(value = TestByzantineRequest.class, name = "test-byzantine"),
  @JsonSubTypes.Type(value = MonitorRequest.class, name = "monitor"),
  @JsonSubTypes.Type(value = UnbanRequest.class, name = "unban"),
  @JsonSubTypes.Type(value = SubmitVoteReply.class, name = "submit-vote-reply"),
  @JsonSubTypes.Type(value = StatusReply.class, name = "status-reply"),
  @JsonSubTypes.Type(value = InfoReply.class, name = "info-reply"),
  @JsonSubTypes.Type(value = PeersReply.class, name = "peers-reply"),
  @JsonSubTypes.Type(value = TestByzantineReply.class, name = "test-byzantine-reply"),
  @JsonSubTypes.Type(value = MonitorSnapshot.class, name = "monitor-snapshot"),
  @JsonSubTypes.Type(value = UnbanReply.class, name = "unban-reply"),
  @JsonSubTypes.Type(value = ErrorReply.class, name = "error")
})
public sealed interface Message permits PeerMessage, ClientRequest, ClientReply {}
