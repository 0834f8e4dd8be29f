package io.dockercache.cache.pullthrough;

import io.dockercache.cache.config.CacheConfig;
import io.dockercache.cache.lifecycle.AccessLog;
import io.dockercache.cache.lifecycle.EvictionLoop;
import io.dockercache.cache.memory.ManifestMemory;
import io.dockercache.cache.metrics.CacheMetrics;
import io.dockercache.cache.storage.RegistryLayout;
import io.dockercache.cache.upstream.BoundedBody;
import io.dockercache.cache.routing.Registries;
import io.dockercache.cache.upstream.InFlight;
import io.dockercache.cache.upstream.Upstream;
import io.dockercache.common.Digest;
import io.dockercache.common.ErrorCode;
import io.dockercache.common.MediaTypes;
import io.dockercache.common.Reference;
import io.dockercache.common.RegistryException;
import io.dockercache.common.RepositoryName;
import io.dockercache.common.Tag;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Manifests, pull-through: served from storage when present, tags revalidated with an upstream
 * HEAD at most once per TTL, bytes fetched by digest and verified before they are stored, and the
 * last known digest served when the upstream fails (stale-if-error). DESIGN.md §3 rules 1, 4, 6.
 *
 * <p>What storage gave (verified) or was given is also held in {@link ManifestMemory}: a digest
 * held there, and a tag whose held link names a digest confirmed within the TTL, are answered
 * without reading storage. A tag past its TTL, and any entry storage last gave over a minute ago
 * ({@link ManifestMemory#MAX_AGE}), reads storage again; what the lifecycle removes leaves memory
 * at once.
 *
 * <p>Application-scoped (a client proxy, created on first use), not a singleton: routes are
 * registered before the configuration check runs, and creating this eagerly would build the
 * storage first, so a bad storage setting would fail there instead of being named by the check.
 */
@ApplicationScoped
public class ManifestService {

  private static final Logger LOG = Logger.getLogger(ManifestService.class);
  /** The distribution registry's limit on a manifest body; manifests are small documents. */
  static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

  private final AsyncStorage storage;
  private final Registries registries;
  private final TagFreshness<TagRef> freshness;
  private final ManifestMemory<ManifestAnswer> memory;
  private final CacheMetrics metrics;
  private final InFlight<String, UpstreamHead> revalidations = new InFlight<>();
  private final InFlight<String, ManifestAnswer> fetches = new InFlight<>();

  private final AccessLog access;
  private final EvictionLoop lifecycle;

  /** A tag of a repository: the key of its freshness. */
  private record TagRef(RepositoryName name, Tag tag) {}

  @Inject
  public ManifestService(AsyncStorage storage, Registries registries, CacheConfig config,
      AccessLog access, EvictionLoop lifecycle, CacheMetrics metrics) {
    this.access = access;
    this.lifecycle = lifecycle;
    this.storage = storage;
    this.registries = registries;
    this.metrics = metrics;
    this.freshness = new TagFreshness<>(config.tagTtl(), System::nanoTime);
    this.memory = new ManifestMemory<>(ManifestMemory.budget(config.memoryCacheSize().bytes(),
        Runtime.getRuntime().maxMemory()));
    lifecycle.onRemoval(memory);
    metrics.memory(memory::bytes, memory.capacity());
  }

  /**
   * The manifest for a reference. With {@code head} the bytes may be left out when fetching them
   * would cost an upstream GET; {@code accept} is the client's Accept header (null for any).
   */
  public Future<ManifestAnswer> get(RepositoryName name, Reference ref, boolean head, String accept) {
    ManifestAnswer held = held(name, ref);
    if (held != null) {
      metrics.memoryHit();
      used(held);
      return ref.isDigest() ? Future.succeededFuture(held)
          : negotiate(name, ref, held, head, accept).onSuccess(a -> {
            if (a != held) {
              used(a);
            }
          });
    }
    // Only a tag is negotiated, as distribution does: a digest names exactly one document.
    Future<ManifestAnswer> answer = ref.isDigest()
        ? byDigest(name, ref.digest(), head)
        : byTag(name, ref.tag(), head).onSuccess(this::used)
            .compose(a -> negotiate(name, ref, a, head, accept));
    // A pull of a manifest is a use of it and of all it references (DESIGN.md §3a).
    return answer.onSuccess(this::used);
  }

  private void used(ManifestAnswer a) {
    access.manifestUsed(a.digest(), a.body());
  }

  /** The answer memory holds: a digest, or a tag fresh within its TTL; else null. */
  private ManifestAnswer held(RepositoryName name, Reference ref) {
    if (!memory.enabled()) {
      return null;
    }
    if (ref.isDigest()) {
      return memory.manifest(name, ref.digest());
    }
    Digest linked = memory.tag(name, ref.tag());
    return linked != null && freshness.isFresh(new TagRef(name, ref.tag()), linked)
        ? memory.manifest(name, linked) : null;
  }

  private Future<ManifestAnswer> byDigest(RepositoryName name, Digest digest, boolean head) {
    ManifestAnswer held = memory.manifest(name, digest);
    if (held != null) {
      return Future.succeededFuture(held);
    }
    return local(name, digest).compose(found -> {
      if (found.isPresent()) {
        return Future.succeededFuture(found.get());
      }
      return head
          ? headUpstream(name, Reference.of(digest)).map(h -> new ManifestAnswer(digest,
              h.mediaType(), h.size(), null, CacheResult.MISS))
          : fetch(name, Reference.of(digest), digest);
    });
  }

  private Future<ManifestAnswer> byTag(RepositoryName name, Tag tag, boolean head) {
    TagRef key = new TagRef(name, tag);
    long ticket = memory.ticket();
    return storage.readLink(RegistryLayout.tagCurrentLink(name, tag)).compose(cached -> {
      if (cached.isPresent()) {
        memory.putTag(ticket, name, tag, cached.get());
      } else {
        memory.forgetTag(name, tag);
      }
      Future<Optional<ManifestAnswer>> local = cached.isPresent()
          ? local(name, cached.get())
          : Future.succeededFuture(Optional.empty());
      return local.compose(have -> {
        if (have.isPresent() && freshness.isFresh(key, have.get().digest())) {
          return Future.succeededFuture(have.get());
        }
        // An upstream fault anywhere on the way serves what we have: the HEAD's, and the GET's
        // of a tag that moved (Docker Hub's pull limit: HEAD free, GET 429; review #3).
        return revalidations.join(name + ":" + tag, () -> upstreamDigest(name, tag))
            .compose(current -> afterRevalidation(name, tag, head, have, current))
            .recover(failure -> staleOr(have, failure, name, tag));
      });
    });
  }

  /** What an upstream HEAD of a manifest said: digest (when sent), media type, size. */
  private record UpstreamHead(Optional<Digest> digest, String mediaType, long size) {}

  /**
   * The digest the upstream has for a tag now (HEAD: free against Docker Hub's limit). Confirmed
   * as that digest: the tag is fresh once its link names it, not before (see {@link TagFreshness}).
   */
  private Future<UpstreamHead> upstreamDigest(RepositoryName name, Tag tag) {
    return headUpstream(name, Reference.of(tag)).onSuccess(h -> h.digest().ifPresent(d -> {
      freshness.confirm(new TagRef(name, tag), d);
      Digest held = memory.tag(name, tag);
      if (held != null && !held.equals(d)) {
        memory.forgetTag(name, tag); // moved upstream: linked again once the new one is stored
      }
    }));
  }

  private Future<ManifestAnswer> afterRevalidation(RepositoryName name, Tag tag, boolean head,
      Optional<ManifestAnswer> have, UpstreamHead upstreamHead) {
    Optional<Digest> current = upstreamHead.digest();
    if (have.isPresent() && current.isPresent() && have.get().digest().equals(current.get())) {
      return Future.succeededFuture(have.get());
    }
    if (current.isPresent()) {
      Digest digest = current.get();
      return local(name, digest).compose(found -> {
        if (found.isPresent()) {
          return linkTag(name, tag, digest).map(v -> found.get())
              .recover(e -> servedUnstored(name, digest, found.get(), e));
        }
        return head
            ? Future.succeededFuture(new ManifestAnswer(digest, upstreamHead.mediaType(),
                upstreamHead.size(), null, CacheResult.MISS))
            : fetch(name, Reference.of(tag), digest);
      });
    }
    // The upstream named no digest: only a GET by tag can tell, and a HEAD must not cost one.
    if (head) {
      return have.isPresent() ? Future.succeededFuture(have.get())
          : Future.failedFuture(new RegistryException(ErrorCode.UNAVAILABLE, "check tag " + tag
              + " of " + name + ": " + registries.of(name).host() + " sent no Docker-Content-Digest"));
    }
    return fetch(name, Reference.of(tag), null)
        .onSuccess(a -> freshness.confirm(new TagRef(name, tag), a.digest()));
  }

  private Future<ManifestAnswer> staleOr(Optional<ManifestAnswer> have, Throwable failure,
      RepositoryName name, Tag tag) {
    boolean upstreamFault = failure instanceof RegistryException re
        && (re.code() == ErrorCode.UNAVAILABLE || re.code() == ErrorCode.TOOMANYREQUESTS);
    if (have.isPresent() && upstreamFault) {
      LOG.debugf("serving %s:%s stale: %s", name, tag, failure.getMessage());
      return Future.succeededFuture(have.get().withResult(CacheResult.STALE));
    }
    return Future.failedFuture(failure);
  }

  /** A manifest this repository links, read from storage (and then held in memory). */
  private Future<Optional<ManifestAnswer>> local(RepositoryName name, Digest digest) {
    long ticket = memory.ticket();
    return storage.readLink(RegistryLayout.revisionLink(name, digest)).compose(link -> {
      if (link.isEmpty()) {
        memory.forgetManifest(name, digest);
        return Future.succeededFuture(Optional.empty());
      }
      return storage.readSmall(RegistryLayout.blobData(digest), MAX_MANIFEST_BYTES)
          .compose(bytes -> bytes.isPresent() && !intact(digest, bytes.get())
              // Gone before the miss that follows: its store must neither find the damaged file
              // (a flipped byte keeps the size, so the write would be skipped) nor be undone.
              ? lifecycle.removeDamaged(digest, bytes.get().length, "stored manifest does not hash to its name")
                  .transform(v -> Future.succeededFuture(Optional.<byte[]>empty()))
              : Future.succeededFuture(bytes))
          .map(bytes -> bytes.map(b -> {
            Buffer body = Buffer.buffer(b);
            // A use now, before any tag is linked to it: an eviction run then keeps it.
            access.manifestUsed(digest, body);
            return hold(ticket, name, digest, body);
          }))
          .onSuccess(found -> {
            if (found.isEmpty()) {
              memory.forgetManifest(name, digest);
            }
          });
    });
  }

  /** A storage hit's answer for verified bytes the repository links, held in memory too. */
  private ManifestAnswer hold(long ticket, RepositoryName name, Digest digest, Buffer body) {
    ManifestAnswer answer = new ManifestAnswer(digest, ManifestDocument.mediaType(body),
        body.length(), body, CacheResult.HIT);
    memory.putManifest(ticket, name, digest, answer, body.length());
    return answer;
  }

  /**
   * Stored manifest bytes are hashed on every hit (a few KiB: cheap beside the JSON parse), so a
   * damaged one is removed and fetched again, never served.
   */
  private static boolean intact(Digest digest, byte[] bytes) {
    return !digest.isSha256() || sha256(Buffer.buffer(bytes)).equals(digest);
  }

  /** Asks the upstream about a manifest with HEAD, without fetching the bytes. */
  private Future<UpstreamHead> headUpstream(RepositoryName name, Reference ref) {
    return headUpstream(name, ref, MediaTypes.acceptHeader());
  }

  /** The same, as a client sending {@code accept} would get it: the upstream negotiates. */
  private Future<UpstreamHead> headUpstream(RepositoryName name, Reference ref, String accept) {
    String action = "check manifest " + ref + " of " + name;
    Upstream upstream = registries.of(name);
    return upstream.send(HttpMethod.HEAD, name, "manifests/" + ref,
        MultiMap.caseInsensitiveMultiMap().add(HttpHeaders.ACCEPT, accept))
        .recover(e -> Future.failedFuture(UpstreamAnswers.unreachable(action, e)))
        .compose(resp -> Upstream.discard(resp).transform(v -> {
          Optional<Digest> digest = digestHeader(resp);
          if (resp.statusCode() != 200) {
            return Future.failedFuture(UpstreamAnswers.error(resp.statusCode(),
                ErrorCode.MANIFEST_UNKNOWN, action, upstream.host()));
          }
          String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
          return Future.succeededFuture(new UpstreamHead(digest,
              resp.getHeader(HttpHeaders.CONTENT_TYPE), length == null ? -1 : Long.parseLong(length)));
        }));
  }

  /**
   * Fetches a manifest, verifies its digest ({@code expected}, when known, and the upstream's
   * Docker-Content-Digest) and stores it before anyone sees it. One fetch per reference at a time.
   */
  private Future<ManifestAnswer> fetch(RepositoryName name, Reference ref, Digest expected) {
    String key = name + "@" + (expected != null ? expected : ref);
    return fetches.join(key, () -> {
      Upstream upstream = registries.of(name);
      String action = "pull manifest " + ref + " of " + name + " from " + upstream.host();
      Reference wire = expected != null ? Reference.of(expected) : ref;
      return upstream.send(HttpMethod.GET, name, "manifests/" + wire, acceptAll())
          .recover(e -> Future.failedFuture(UpstreamAnswers.unreachable(action, e)))
          .compose(resp -> {
            if (resp.statusCode() != 200) {
              return Upstream.discard(resp).transform(v -> Future.failedFuture(UpstreamAnswers
                  .error(resp.statusCode(), ErrorCode.MANIFEST_UNKNOWN, action, upstream.host())));
            }
            return BoundedBody.read(resp, MAX_MANIFEST_BYTES, action)
                .compose(body -> store(name, ref, verify(body, expected, digestHeader(resp), action),
                    body, resp.getHeader(HttpHeaders.CONTENT_TYPE)));
          });
    });
  }

  private static Digest verify(Buffer body, Digest expected, Optional<Digest> announced, String action) {
    Digest actual = sha256(body);
    Digest wanted = expected != null ? expected : announced.filter(Digest::isSha256).orElse(actual);
    if (!actual.equals(wanted) || announced.filter(Digest::isSha256).filter(a -> !a.equals(actual)).isPresent()) {
      throw new RegistryException(ErrorCode.UNAVAILABLE,
          action + ": content hashes to " + actual + ", expected " + wanted + "; not stored");
    }
    return actual;
  }

  private Future<ManifestAnswer> store(RepositoryName name, Reference ref, Digest digest,
      Buffer body, String contentType) {
    String mediaType = contentType != null && MediaTypes.MANIFEST_TYPES.contains(contentType)
        ? contentType
        : ManifestDocument.mediaType(body);
    String key = RegistryLayout.blobData(digest);
    long ticket = memory.ticket();
    // Stored for another repository already: only its link is new, and its bytes count once.
    Future<Void> stored = storage.size(key).compose(existing -> existing.isPresent()
            && existing.getAsLong() == body.length()
        ? Future.<Void>succeededFuture()
        : storage.writeSmall(key, body.getBytes())
            .onSuccess(v -> lifecycle.added(body.length())))
        .compose(v -> storage.writeLink(RegistryLayout.revisionLink(name, digest), digest));
    if (!ref.isDigest()) {
      stored = stored.compose(v -> linkTag(name, ref.tag(), digest));
    }
    ManifestAnswer answer = new ManifestAnswer(digest, mediaType, body.length(), body, CacheResult.MISS);
    return stored.map(v -> {
      hold(ticket, name, digest, body);
      return answer;
    }).recover(e -> servedUnstored(name, digest, answer, e));
  }

  /**
   * A full disk never fails a pull (DESIGN.md §3a): verified bytes whose data or links could not
   * be written are served all the same, and not held in memory (it holds what storage has). An
   * unlinked tag is not fresh, so the next pull asks the upstream and stores it once there is room.
   */
  private Future<ManifestAnswer> servedUnstored(RepositoryName name, Digest digest,
      ManifestAnswer answer, Throwable failure) {
    lifecycle.writeFailed();
    LOG.warnf("manifest %s of %s served but not stored: %s", digest, name, failure.getMessage());
    return Future.succeededFuture(answer);
  }

  private Future<Void> linkTag(RepositoryName name, Tag tag, Digest digest) {
    long ticket = memory.ticket();
    return storage.writeLink(RegistryLayout.tagIndexLink(name, tag, digest), digest)
        .compose(v -> storage.writeLink(RegistryLayout.tagCurrentLink(name, tag), digest))
        .onSuccess(v -> memory.putTag(ticket, name, tag, digest));
  }

  /**
   * Content negotiation (rule 6): a client that does not accept an index gets the linux/amd64
   * manifest it lists, as the distribution registry does for old clients.
   */
  private Future<ManifestAnswer> negotiate(RepositoryName name, Reference ref, ManifestAnswer a,
      boolean head, String accept) {
    if (a.mediaType() == null || MediaTypes.accepts(accept, a.mediaType())) {
      return Future.succeededFuture(a);
    }
    if (MediaTypes.isIndex(a.mediaType()) && a.body() == null) {
      return headNegotiated(name, ref, accept);
    }
    if (MediaTypes.isIndex(a.mediaType())) {
      Optional<Digest> child = ManifestDocument.platformEntry(a.body(), "linux", "amd64");
      if (child.isPresent()) {
        return byDigest(name, child.get(), head).compose(c -> MediaTypes.accepts(accept, c.mediaType())
            ? Future.succeededFuture(c) : notAcceptable(name, ref, accept));
      }
    }
    return notAcceptable(name, ref, accept);
  }

  /**
   * A HEAD of a tag whose index is not stored: reading the index would cost a GET (rule 4), so
   * the upstream negotiates for the client's Accept on a HEAD. What it refuses (distribution
   * serves an OCI index to no such client) is refused here too.
   */
  private Future<ManifestAnswer> headNegotiated(RepositoryName name, Reference ref, String accept) {
    return headUpstream(name, ref, accept).compose(h -> h.digest().isPresent() && h.mediaType() != null
            && MediaTypes.accepts(accept, h.mediaType())
        ? Future.succeededFuture(new ManifestAnswer(h.digest().get(), h.mediaType(), h.size(), null,
            CacheResult.MISS))
        : notAcceptable(name, ref, accept));
  }

  private static Future<ManifestAnswer> notAcceptable(RepositoryName name, Reference ref, String accept) {
    return Future.failedFuture(new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
        "manifest " + ref + " of " + name + " exists in no media type the client accepts (" + accept + ")"));
  }

  private static Optional<Digest> digestHeader(HttpClientResponse resp) {
    String header = resp.getHeader("Docker-Content-Digest");
    try {
      return header == null ? Optional.empty() : Optional.of(Digest.parse(header.trim()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static MultiMap acceptAll() {
    return MultiMap.caseInsensitiveMultiMap().add(HttpHeaders.ACCEPT, MediaTypes.acceptHeader());
  }

  static Digest sha256(Buffer body) {
    try {
      return Digest.sha256(MessageDigest.getInstance("SHA-256").digest(body.getBytes()));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }
}
