package io.dockercache.distributor.docker;

/** daemon.json cannot be merged (not JSON, not an object, duplicate keys, wrong types): left untouched. */
final class InvalidDaemonJson extends Exception {

  InvalidDaemonJson(String message) {
    super(message);
  }
}
