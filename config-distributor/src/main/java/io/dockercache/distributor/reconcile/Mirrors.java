package io.dockercache.distributor.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The mirrors written to a node, in the order its runtimes try them: dockerd's {@code
 * registry-mirrors} and containerd's {@code [host]} entries both fall over to the next one. Never
 * empty (a node is never pointed at nothing); one entry per URL.
 */
public record Mirrors(List<Mirror> all) {

  public Mirrors {
    List<Mirror> distinct = new ArrayList<>();
    for (Mirror mirror : all) {
      if (distinct.stream().noneMatch(m -> m.url().equals(mirror.url()))) {
        distinct.add(mirror);
      }
    }
    if (distinct.isEmpty()) {
      throw new IllegalArgumentException("no mirror");
    }
    all = List.copyOf(distinct);
  }

  public static Mirrors of(Mirror... mirrors) {
    return new Mirrors(List.of(mirrors));
  }

  /** The URLs in order, as {@code registry-mirrors} lists them. */
  public List<String> urls() {
    return all.stream().map(Mirror::url).toList();
  }

  /** The {@code host:port} of every plain-http mirror, in order, for {@code insecure-registries}. */
  public List<String> insecureHosts() {
    return all.stream().filter(Mirror::insecure).map(Mirror::hostPort).distinct().toList();
  }

  /** The URLs joined by commas: the {@code docker-cache/mirror} annotation. */
  @Override
  public String toString() {
    return all.stream().map(Mirror::url).collect(Collectors.joining(","));
  }
}
