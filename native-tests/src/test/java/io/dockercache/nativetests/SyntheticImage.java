package io.dockercache.nativetests;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An image pushed straight through the registry API, with layers of chosen sizes (random bytes,
 * shared between images when the same {@link RandomFile} is given), under an OCI manifest: for
 * tests that need exact byte counts rather than a runnable image.
 */
final class SyntheticImage {

    static final String MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";

    private SyntheticImage() {
    }

    /** Pushes the layers, a config naming {@code repository}, and the manifest as {@code tag}. */
    static Image push(RegistryClient upstream, String repository, String tag, RandomFile... layers) {
        List<Descriptor> descriptors = new ArrayList<>();
        List<String> layerJson = new ArrayList<>();
        for (RandomFile layer : layers) {
            upstream.pushBlob(repository, layer.path(), layer.digest());
            descriptors.add(new Descriptor(layer.digest(), layer.size()));
            layerJson.add(descriptor("application/vnd.oci.image.layer.v1.tar", layer.digest(), layer.size()));
        }
        byte[] config = configBytes(repository, tag);
        String configDigest = upstream.pushBlob(repository, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MEDIA_TYPE + "\",\"config\":"
                + descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.length)
                + ",\"layers\":[" + String.join(",", layerJson) + "]}").getBytes(StandardCharsets.UTF_8);
        String digest = upstream.pushManifest(repository, tag, MEDIA_TYPE, manifest);
        return new Image(null, tag, new Descriptor(digest, manifest.length), MEDIA_TYPE, manifest,
                new Descriptor(configDigest, config.length), List.copyOf(descriptors), "amd64");
    }

    /** The config blob {@link #push} writes for an image. */
    static byte[] configBytes(String repository, String tag) {
        return ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"test\":\""
                + repository + ":" + tag + "\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String descriptor(String mediaType, String digest, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }
}
