package io.dockercache.cache.storage.azure;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Uploads a local file as staged blocks, then creates the blob with one Put Block List that
 * carries {@code If-None-Match: *}: the blob appears whole at that moment or not at all, and an
 * existing blob is never replaced. Each block body is read from the file again on a retry.
 */
final class BlockUpload {

  /** Block ids of one blob must all have the same length, also across writers: fixed format. */
  private static final String ID_FORMAT = "%s-%06d";

  private final BlockBlobClient blob;
  private final long blockSize;

  BlockUpload(BlockBlobClient blob, long blockSize) {
    this.blob = blob;
    this.blockSize = blockSize;
  }

  /** Returns true when this upload created the blob, false when one existed already. */
  boolean createFrom(Path file) throws IOException {
    long size = Files.size(file);
    String upload = UUID.randomUUID().toString();
    List<String> ids = new ArrayList<>();
    long offset = 0;
    while (offset < size) { // an empty file commits an empty block list: an empty blob
      long length = Math.min(blockSize, size - offset);
      String id = blockId(upload, ids.size());
      BinaryData body = BinaryData.fromFile(file, offset, length);
      AzureCalls.run("stage block " + ids.size() + " of " + blob.getBlobName(), () ->
          blob.stageBlockWithResponse(new BlockBlobStageBlockOptions(id, body), null, Context.NONE));
      ids.add(id);
      offset += length;
    }
    BlockBlobCommitBlockListOptions commit = new BlockBlobCommitBlockListOptions(ids)
        .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*"));
    try {
      AzureCalls.run("commit " + blob.getBlobName(), () ->
          blob.commitBlockListWithResponse(commit, null, Context.NONE));
      return true;
    } catch (AzureCalls.AzureException e) {
      // 409 BlobAlreadyExists, or 412 when a retry of our own commit finds it done.
      if (e.status() == 409 || e.status() == 412) {
        return false;
      }
      throw e;
    }
  }

  private static String blockId(String upload, int index) {
    String raw = String.format(ID_FORMAT, upload, index);
    return Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.US_ASCII));
  }
}
