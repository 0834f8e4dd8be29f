package io.dockercache.nativetests;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.SplittableRandom;

/** A file of incompressible bytes from a seeded PRNG, and its digest. */
record RandomFile(Path path, String digest, long size) {

    /** Writes {@code size} bytes derived from {@code seed} into {@code path}, hashing as it goes. */
    static RandomFile write(Path path, long size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        MessageDigest digest = Sha256.newDigest();
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = Files.newOutputStream(path)) {
            long left = size;
            while (left > 0) {
                chunk.clear();
                while (chunk.remaining() >= Long.BYTES) {
                    chunk.putLong(random.nextLong());
                }
                int n = (int) Math.min(left, chunk.position());
                digest.update(chunk.array(), 0, n);
                out.write(chunk.array(), 0, n);
                left -= n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
        return new RandomFile(path, Sha256.format(digest.digest()), size);
    }

    /** The {@code length} bytes at {@code offset}, for comparing a Range response. */
    byte[] slice(long offset, int length) {
        try (FileChannel channel = FileChannel.open(path)) {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) > 0) {
                // keep reading
            }
            return buffer.array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
