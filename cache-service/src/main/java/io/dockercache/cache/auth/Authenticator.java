package io.dockercache.cache.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.dockercache.cache.config.CacheConfig;
import io.dockercache.cache.upstream.InFlight;
import io.dockercache.common.ErrorCode;
import io.dockercache.common.RegistryException;
import io.dockercache.common.config.DockerCacheConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValidationException.Problem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * htpasswd (bcrypt) authentication of registry clients. bcrypt costs milliseconds to a tenth of a
 * second of CPU by design, so: it never runs on an event loop (a worker pool of half the cores), at most a
 * bounded number of checks wait at once (a flood of wrong passwords gets 429, it cannot queue
 * without end), concurrent checks of the same credentials share one bcrypt, and a success is
 * remembered for {@code docker_cache_auth_cache_ttl} under a hash of the credentials. Unknown users
 * are checked against a dummy hash of the same cost, so timing does not tell which users exist.
 */
@Startup
@ApplicationScoped
public class Authenticator {

  private static final Logger LOG = Logger.getLogger(Authenticator.class);
  /** bcrypt reads at most 72 bytes of a password (Apache's htpasswd truncates the same way). */
  private static final int BCRYPT_MAX_PASSWORD_BYTES = 72;
  private static final int MAX_REMEMBERED = 4096;
  private static final long FILE_CHECK_MILLIS = 5000;

  private record Users(Htpasswd htpasswd, byte[] dummyHash) {}

  private final Vertx vertx;
  private final AnonymousNetworks anonymous;
  private final long rememberNanos;
  private final int maxWaiting;
  private final WorkerExecutor bcryptPool;
  private final Counter verifications;
  private final ConcurrentHashMap<String, Long> remembered = new ConcurrentHashMap<>();
  private final InFlight<String, Boolean> checking = new InFlight<>();
  private final AtomicInteger waiting = new AtomicInteger();
  private final Optional<Path> file;
  private volatile Users users;
  private volatile boolean failedClosed;
  private volatile FileTime fileVersion;

  @Inject
  public Authenticator(Vertx vertx, DockerCacheConfig seed, CacheConfig config, MeterRegistry meters) {
    this.vertx = vertx;
    this.rememberNanos = config.authCacheTtl().toNanos();
    this.verifications = Counter.builder("docker_cache_auth_bcrypt_verifications")
        .description("Password checks that ran bcrypt (cache misses)").register(meters);
    // Half the cores at most: a flood of wrong passwords can take those, never the event loops'.
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    this.maxWaiting = threads * 16;
    this.bcryptPool = vertx.createSharedWorkerExecutor("docker-cache-bcrypt", threads);
    this.file = config.htpasswdFile().filter(f -> !f.isBlank()).map(Path::of);
    Optional<String> inline = seed.htpasswd().filter(h -> !h.isBlank());
    try {
      this.anonymous = AnonymousNetworks.parse(config.anonymousCidrs().orElse(List.of()));
    } catch (IllegalArgumentException e) {
      throw invalid("docker_cache_anonymous_cidrs: " + e.getMessage()
          + "; allowed: comma-separated CIDR blocks such as 10.0.0.0/8,fd00::/8");
    }
    if (inline.isPresent() && file.isPresent()) {
      throw invalid("docker_cache_htpasswd and docker_cache_htpasswd_file: both set; allowed: one of them");
    }
    if (inline.isPresent()) {
      String content = new String(Base64.getDecoder().decode(inline.get().replaceAll("\\s", "")),
          StandardCharsets.UTF_8);
      this.users = load(content, "docker_cache_htpasswd");
    } else if (file.isPresent()) {
      try {
        this.fileVersion = Files.getLastModifiedTime(file.get());
        this.users = load(Files.readString(file.get()), "docker_cache_htpasswd_file=" + file.get());
      } catch (IOException e) {
        throw invalid("docker_cache_htpasswd_file: " + file.get() + " cannot be read: " + e.getMessage());
      }
      vertx.setPeriodic(FILE_CHECK_MILLIS, id -> vertx.executeBlocking(() -> {
        reloadIfChanged();
        return null;
      }, false));
    }
    if (users != null) {
      LOG.infof("registry authentication on: %d htpasswd users%s", users.htpasswd().size(),
          anonymous.isEmpty() ? "" : ", anonymous pulls from docker_cache_anonymous_cidrs");
    }
  }

  /** Whether clients must authenticate. */
  public boolean enabled() {
    return users != null || failedClosed;
  }

  /**
   * Whether a client address may pull without credentials. Never while the htpasswd file is
   * unusable: failing closed shuts out everyone, the anonymous networks too, until it is fixed.
   */
  public boolean anonymousAllowed(String clientAddress) {
    return !failedClosed && anonymous.contains(clientAddress);
  }

  /**
   * Checks credentials; resolves to whether they are valid, or fails with TOOMANYREQUESTS when too
   * many checks are already waiting. Completes on the caller's context.
   */
  public Future<Boolean> verify(BasicCredentials credentials) {
    Users current = users;
    if (current == null) {
      return Future.succeededFuture(false); // failed closed: the htpasswd file became unusable
    }
    String key = fingerprint(credentials);
    Long until = remembered.get(key);
    if (until != null && System.nanoTime() - until < 0) {
      return Future.succeededFuture(true);
    }
    return checking.join(key, () -> {
      if (waiting.incrementAndGet() > maxWaiting) {
        waiting.decrementAndGet();
        return Future.failedFuture(new RegistryException(ErrorCode.TOOMANYREQUESTS,
            "too many password checks in progress; retry"));
      }
      return bcryptPool.executeBlocking(() -> bcrypt(current, credentials), false)
          .onComplete(done -> waiting.decrementAndGet())
          .onSuccess(ok -> {
            if (ok && rememberNanos > 0 && users == current) {
              if (remembered.size() >= MAX_REMEMBERED) {
                remembered.clear();
              }
              remembered.put(key, System.nanoTime() + rememberNanos);
            }
          });
    });
  }

  private boolean bcrypt(Users current, BasicCredentials credentials) {
    verifications.increment();
    byte[] password = credentials.password().getBytes(StandardCharsets.UTF_8);
    if (password.length > BCRYPT_MAX_PASSWORD_BYTES) {
      password = Arrays.copyOf(password, BCRYPT_MAX_PASSWORD_BYTES);
    }
    Optional<byte[]> hash = current.htpasswd().hashOf(credentials.user());
    boolean ok = BCrypt.verifyer().verify(password, hash.orElse(current.dummyHash())).verified;
    return ok && hash.isPresent();
  }

  private void reloadIfChanged() {
    Path path = file.orElseThrow();
    try {
      FileTime version = Files.getLastModifiedTime(path);
      if (version.equals(fileVersion)) {
        return;
      }
      Users fresh = load(Files.readString(path), "docker_cache_htpasswd_file=" + path);
      fileVersion = version;
      users = fresh;
      failedClosed = false;
      remembered.clear();
      LOG.infof("htpasswd file %s reloaded: %d users", path, fresh.htpasswd().size());
    } catch (IOException | RuntimeException e) {
      // Fail closed: with the file unusable, nobody is let in until it is fixed.
      failedClosed = true;
      users = null;
      remembered.clear();
      LOG.errorf("htpasswd file %s unusable, denying every request (docker_cache_anonymous_cidrs"
          + " included) until it is fixed: %s", path, e.getMessage());
    }
  }

  private static Users load(String content, String source) {
    Htpasswd htpasswd;
    try {
      htpasswd = Htpasswd.parse(content, warning -> LOG.warnf("%s: %s", source, warning));
    } catch (IllegalArgumentException e) {
      throw invalid(source + ": " + e.getMessage());
    }
    if (htpasswd.size() == 0) {
      throw invalid(source + ": no bcrypt entries; allowed: lines made with htpasswd -B");
    }
    byte[] dummy = BCrypt.withDefaults().hash(htpasswd.maxCost(),
        "no such user".getBytes(StandardCharsets.UTF_8));
    return new Users(htpasswd, dummy);
  }

  private static String fingerprint(BasicCredentials credentials) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(credentials.user().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(credentials.password().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }

  private static ConfigValidationException invalid(String problem) {
    return new ConfigValidationException(new Problem[] {new Problem(problem)});
  }

  @PreDestroy
  void close() {
    bcryptPool.close();
  }
}
