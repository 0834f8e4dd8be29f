package io.dockercache.cache.storage.azure;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.specialized.BlobLeaseClient;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import io.dockercache.cache.storage.Storage;
import org.jboss.logging.Logger;

/**
 * A lock shared by the replicas of one container: a lease on a small blob. Taken for
 * {@link #SECONDS} and renewed every third of that while held; a replica that dies lets it
 * lapse, so no lock outlives its holder by more than a minute.
 */
final class LeaseLock implements Storage.Lock {

  static final int SECONDS = 60;
  private static final Logger LOG = Logger.getLogger(LeaseLock.class);
  private static final ScheduledExecutorService RENEWALS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "docker-cache-lease-renewal");
    t.setDaemon(true);
    return t;
  });

  private final BlobLeaseClient lease;
  private final ScheduledFuture<?> renewal;
  /** When the lease was last taken or renewed ({@link System#nanoTime()}). */
  private volatile long renewedAt = System.nanoTime();
  private volatile boolean closed;

  private LeaseLock(BlobLeaseClient lease) {
    this.lease = lease;
    this.renewal = RENEWALS.scheduleAtFixedRate(this::renew, SECONDS / 3, SECONDS / 3, TimeUnit.SECONDS);
  }

  /** The lock, or empty when another holder has the lease. */
  static Optional<Storage.Lock> tryAcquire(BlobClient blob) throws IOException {
    try {
      AzureCalls.exec("create lock " + blob.getBlobName(), () -> blob.upload(BinaryData.fromString(""), false));
    } catch (AzureCalls.AzureException e) {
      if (e.status() != 409 && e.status() != 412) { // exists already, or is leased right now
        throw e;
      }
    }
    BlobLeaseClient lease = new BlobLeaseClientBuilder().blobClient(blob).buildClient();
    try {
      AzureCalls.run("lease " + blob.getBlobName(), () -> lease.acquireLease(SECONDS));
    } catch (AzureCalls.AzureException e) {
      if (e.status() == 409) {
        return Optional.empty();
      }
      throw e;
    }
    return Optional.of(new LeaseLock(lease));
  }

  private void renew() {
    try {
      lease.renewLease();
      renewedAt = System.nanoTime();
    } catch (RuntimeException e) {
      LOG.warnf("cannot renew the lease %s: %s", lease.getLeaseId(), e.getMessage());
    }
  }

  /**
   * False once the last renewal is so old that the lease may have lapsed (another replica may
   * hold it now): a holder must stop what the lock guards. Ten seconds of margin for clock drift
   * and the time a deletion in progress takes.
   */
  @Override
  public boolean held() {
    return !closed && System.nanoTime() - renewedAt < TimeUnit.SECONDS.toNanos(SECONDS - 10);
  }

  @Override
  public void close() throws IOException {
    closed = true;
    renewal.cancel(false);
    AzureCalls.exec("release lease", lease::releaseLease);
  }
}
