package io.dockercache.cache.pullthrough;

import io.dockercache.cache.storage.RegistryLayout;
import io.dockercache.cache.storage.Storage;
import io.dockercache.cache.routing.Registries;
import io.dockercache.cache.upstream.BoundedBody;
import io.dockercache.cache.upstream.Upstream;
import io.dockercache.cache.upstream.UpstreamException;
import io.dockercache.common.ErrorCode;
import io.dockercache.common.RegistryException;
import io.dockercache.common.RepositoryName;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Tag lists (the upstream's, or ours when it cannot answer) and the catalog (ours: the cache
 * lists what it holds, it does not enumerate the upstream).
 */
@ApplicationScoped
public class RepositoryListings {

  /** A tag list is a JSON document; Docker Hub's largest are well below this. */
  private static final int MAX_TAG_LIST_BYTES = 8 * 1024 * 1024;

  /** A JSON listing and, when there is a next page, its Link header. */
  public record Listing(Buffer json, String link) {}

  private final AsyncStorage storage;
  private final Registries registries;

  @Inject
  public RepositoryListings(AsyncStorage storage, Registries registries) {
    this.storage = storage;
    this.registries = registries;
  }

  /**
   * {@code GET /v2/<name>/tags/list?n=&last=}: the upstream's list, or ours when it cannot answer.
   * Only {@code n} and {@code last} go to the upstream, encoded again (a malformed escape is the
   * client's error, never a request built from it). A page is at most {@code n} tags: an upstream
   * that ignores {@code n} (distribution 2.8 does) is paginated here, as the local list is, with a
   * {@code Link: <...>; rel="next"} to the next page (distribution's form, RFC 5988).
   */
  public Future<Listing> tags(RepositoryName name, String query) {
    String action = "list tags of " + name;
    Page page = Page.parse(query);
    Upstream upstream = registries.of(name);
    return upstream.send(HttpMethod.GET, name, "tags/list" + page.query(), MultiMap.caseInsensitiveMultiMap())
        .compose(resp -> {
          if (resp.statusCode() == 200) {
            return BoundedBody.read(resp, MAX_TAG_LIST_BYTES, action)
                .map(body -> paged(name, body, resp.getHeader("Link"), page, action));
          }
          return Upstream.discard(resp).transform(v -> Future.failedFuture(UpstreamAnswers
              .error(resp.statusCode(), ErrorCode.NAME_UNKNOWN, action, upstream.host())));
        })
        .recover(failure -> {
          if (failure instanceof RegistryException re && re.code() == ErrorCode.NAME_UNKNOWN) {
            return Future.failedFuture(failure);
          }
          return localTags(name, page, failure);
        });
  }

  /** The upstream's answer as it came when it kept to {@code n} and {@code last}, else one page of it. */
  private static Listing paged(RepositoryName name, Buffer body, String link, Page page, String action) {
    if (page.n() == null && page.last() == null) {
      return new Listing(body, link);
    }
    JsonArray tags;
    try {
      tags = body.toJsonObject().getJsonArray("tags");
    } catch (RuntimeException e) {
      throw new UpstreamException(action + ": the upstream's tag list is not JSON: " + e.getMessage(), e);
    }
    if (tags == null) {
      return new Listing(body, link);
    }
    List<String> all = new ArrayList<>();
    tags.forEach(t -> all.add(String.valueOf(t)));
    boolean kept = (page.n() == null || all.size() <= page.n())
        && (page.last() == null || all.stream().allMatch(t -> t.compareTo(page.last()) > 0));
    return kept ? new Listing(body, link) : page(name, all, page);
  }

  private Future<Listing> localTags(RepositoryName name, Page page, Throwable upstreamFailure) {
    return storage.list(RegistryLayout.tags(name)).compose(tags -> {
      if (tags.isEmpty()) {
        return Future.failedFuture(upstreamFailure instanceof RegistryException
            ? upstreamFailure
            : UpstreamAnswers.unreachable("list tags of " + name, upstreamFailure));
      }
      return Future.succeededFuture(page(name, new ArrayList<>(tags), page));
    });
  }

  /** The tags after {@code last}, sorted, at most {@code n}, and the Link to the rest. */
  private static Listing page(RepositoryName name, List<String> tags, Page page) {
    tags.sort(null);
    List<String> shown = new ArrayList<>();
    for (String tag : tags) {
      if ((page.last() == null || tag.compareTo(page.last()) > 0)
          && (page.n() == null || shown.size() < page.n())) {
        shown.add(tag);
      }
    }
    boolean more = !shown.isEmpty() && !shown.get(shown.size() - 1).equals(tags.get(tags.size() - 1));
    String link = more
        ? "</v2/" + name + "/tags/list?n=" + page.n() + "&last="
            + Page.encode(shown.get(shown.size() - 1)) + ">; rel=\"next\""
        : null;
    JsonObject json = new JsonObject().put("name", name.toString()).put("tags", new JsonArray(shown));
    return new Listing(json.toBuffer(), link);
  }

  /** {@code GET /v2/_catalog?n=&last=}: the repositories stored here, sorted, paginated. */
  public Future<Listing> catalog(int n, String last) {
    return storage.run(() -> {
      List<String> all = new ArrayList<>();
      collect(storage.storage(), "", all);
      all.sort(null);
      List<String> page = new ArrayList<>();
      for (String repo : all) {
        if ((last == null || repo.compareTo(last) > 0) && page.size() < n) {
          page.add(repo);
        }
      }
      boolean more = !page.isEmpty() && !page.get(page.size() - 1).equals(all.get(all.size() - 1));
      String link = more
          ? "</v2/_catalog?n=" + n + "&last=" + page.get(page.size() - 1) + ">; rel=\"next\""
          : null;
      return new Listing(new JsonObject().put("repositories", new JsonArray(page)).toBuffer(), link);
    });
  }

  /** A directory is a repository when it holds {@code _manifests}; names nest with slashes. */
  private static void collect(Storage storage, String relative, List<String> out) throws IOException {
    for (String child : storage.list(RegistryLayout.REPOSITORIES + relative)) {
      if (child.equals("_manifests")) {
        out.add(relative.substring(0, relative.length() - 1));
      } else if (!child.startsWith("_")) {
        collect(storage, relative + child + "/", out);
      }
    }
  }
}
