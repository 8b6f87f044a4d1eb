package io.mtlsvoting.persistence.etcd;

/** An etcd coordination operation failed; the message names the operation and the key. */
public class EtcdCoordinationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed and why
   * @param cause the underlying error, may be null
   */
  public EtcdCoordinationException(String message, Throwable cause) {
    super(message, cause);
  }
}
