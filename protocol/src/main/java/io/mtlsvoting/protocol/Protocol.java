package io.mtlsvoting.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Objects;
import java.util.stream.Collectors;

/** Protocol constants and the configuration hash exchanged in {@link Hello}. */
public final class Protocol {
  /**
   * Wire protocol version sent in {@link Hello} and stored in etcd's cluster config. 2 added {@link
   * VoteRequest}, which a version-1 node cannot decode.
   */
  public static final int PROTOCOL_VERSION = 2;

  private Protocol() {}

  /**
   * Hex SHA-256 of the canonical text {@code "mtls-voting/config/v1\nn=<n>\nt=<t>\nmembers=<ids
   * ascending, comma separated>\n"}, so nodes with a different n, t or membership refuse each
   * other.
   */
  public static String configHash(int n, int t, Collection<Integer> memberIds) {
    Objects.requireNonNull(memberIds, "memberIds");
    String members =
        memberIds.stream()
            .map(id -> Objects.requireNonNull(id, "member id"))
            .sorted()
            .map(String::valueOf)
            .collect(Collectors.joining(","));
    String text = "mtls-voting/config/v1\nn=" + n + "\nt=" + t + "\nmembers=" + members + "\n";
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha256.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
