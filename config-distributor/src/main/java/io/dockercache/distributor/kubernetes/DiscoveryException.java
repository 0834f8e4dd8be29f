package io.dockercache.distributor.kubernetes;

/** The mirror address could not be discovered; the message says what is missing. */
public class DiscoveryException extends Exception {

  public DiscoveryException(String message) {
    super(message);
  }
}
