package io.dockercache.cache.storage.azure;

import com.azure.storage.blob.models.BlobStorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * Runs one SDK call and turns what it throws (unchecked, in the SDK) into the storage SPI's
 * {@link IOException}, naming the action. Azure's answer (status and error code) is kept in the
 * message; the account key never is (the SDK does not put it in errors).
 */
final class AzureCalls {

  private AzureCalls() {}

  static <T> T run(String action, Supplier<T> call) throws IOException {
    try {
      return call.get();
    } catch (BlobStorageException e) {
      throw new AzureException(action, e.getStatusCode(),
          e.getErrorCode() == null ? null : e.getErrorCode().toString(), e);
    } catch (UncheckedIOException e) {
      throw new IOException("azure: " + action + ": " + e.getCause().getMessage(), e.getCause());
    } catch (RuntimeException e) {
      throw new IOException("azure: " + action + ": " + describe(e), e);
    }
  }

  static void exec(String action, Runnable call) throws IOException {
    run(action, () -> {
      call.run();
      return null;
    });
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    return root.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
  }

  /** An error answer from Azure, with its HTTP status. */
  static final class AzureException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;

    AzureException(String action, int status, String code, Throwable cause) {
      super("azure: " + action + ": " + status + (code == null ? "" : " " + code), cause);
      this.status = status;
    }

    int status() {
      return status;
    }
  }
}
