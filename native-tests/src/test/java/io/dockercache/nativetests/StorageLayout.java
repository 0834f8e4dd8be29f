package io.dockercache.nativetests;

import java.nio.file.Path;

/** Paths of the distribution registry's storage layout (DESIGN.md §3), shared by the cache and registry:2. */
final class StorageLayout {

    private StorageLayout() {
    }

    /** {@code <root>/docker/registry/v2/blobs/sha256/<hex[0:2]>/<hex>/data}. */
    static Path blobData(Path root, String digest) {
        String hex = Sha256.hex(digest);
        return v2(root).resolve("blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
    }

    /** {@code <root>/docker/registry/v2/repositories/<name>/_manifests/tags/<tag>/current/link}. */
    static Path tagLink(Path root, String name, String tag) {
        return v2(root).resolve("repositories").resolve(name).resolve("_manifests/tags").resolve(tag)
                .resolve("current/link");
    }

    /** {@code <root>/docker/registry/v2/repositories/<name>/_layers/sha256/<hex>/link}: the repository may serve the blob. */
    static Path layerLink(Path root, String name, String digest) {
        return v2(root).resolve("repositories").resolve(name).resolve("_layers/sha256").resolve(Sha256.hex(digest))
                .resolve("link");
    }

    private static Path v2(Path root) {
        return root.resolve("docker/registry/v2");
    }
}
