package io.mtlsvoting.persistence.etcd;

/**
 * etcd could not be reached or did not answer within the request timeout; worth retrying later, the
 * node keeps running in a degraded state.
 */
public final class EtcdUnavailableException extends EtcdCoordinationException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, against which endpoints, and why
   * @param cause the underlying error, may be null
   */
  public EtcdUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
