package io.dockercache.cache.upstream;

/** The upstream could not be reached or answered something we cannot use. */
public class UpstreamException extends RuntimeException {

  public UpstreamException(String message) {
    super(message);
  }

  public UpstreamException(String message, Throwable cause) {
    super(message, cause);
  }
}
