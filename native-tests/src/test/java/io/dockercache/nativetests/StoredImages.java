package io.dockercache.nativetests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Small images written straight into a storage root in the distribution layout (DESIGN.md §3), as
 * an existing registry volume holds them: for tests that need thousands of stored images, which
 * pulling one by one would take minutes to make. The cache serves them as its own.
 */
final class StoredImages {

    /** One stored image: its repository, tag "1", manifest and blobs with their bytes. */
    record Stored(String repository, Descriptor manifest, byte[] manifestBytes, List<Descriptor> blobs) {
    }

    private StoredImages() {
    }

    /**
     * Writes {@code count} images {@code <prefix>/<i>:1} under {@code root}, each with one layer of
     * {@code layerBytes} random bytes of its own (seeded) and a config.
     */
    static List<Stored> write(Path root, String prefix, int count, int layerBytes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Stored> stored = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                String repository = prefix + "/" + i;
                byte[] layer = new byte[layerBytes];
                random.nextBytes(layer);
                byte[] config = SyntheticImage.configBytes(repository, "1");
                String layerDigest = blob(root, layer);
                String configDigest = blob(root, config);
                byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + SyntheticImage.MEDIA_TYPE
                        + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                        + configDigest + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":"
                        + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest + "\",\"size\":"
                        + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
                String manifestDigest = blob(root, manifest);
                Path repo = root.resolve("docker/registry/v2/repositories").resolve(repository);
                link(repo.resolve("_layers/sha256").resolve(Sha256.hex(layerDigest)), layerDigest);
                link(repo.resolve("_layers/sha256").resolve(Sha256.hex(configDigest)), configDigest);
                link(repo.resolve("_manifests/revisions/sha256").resolve(Sha256.hex(manifestDigest)), manifestDigest);
                Path tag = repo.resolve("_manifests/tags/1");
                link(tag.resolve("index/sha256").resolve(Sha256.hex(manifestDigest)), manifestDigest);
                link(tag.resolve("current"), manifestDigest);
                stored.add(new Stored(repository, new Descriptor(manifestDigest, manifest.length), manifest,
                        List.of(new Descriptor(configDigest, config.length), new Descriptor(layerDigest, layer.length))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write stored images under " + root, e);
        }
        return stored;
    }

    private static String blob(Path root, byte[] bytes) throws IOException {
        String digest = Sha256.of(bytes);
        Path data = StorageLayout.blobData(root, digest);
        Files.createDirectories(data.getParent());
        Files.write(data, bytes);
        return digest;
    }

    private static void link(Path dir, String digest) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("link"), digest, StandardCharsets.US_ASCII);
    }
}
