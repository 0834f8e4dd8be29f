package io.dockercache.nativetests;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A single-platform image in an OCI layout: its manifest bytes exactly as pushed, config and layers.
 *
 * @param ref the image's {@code org.opencontainers.image.ref.name} in the layout
 */
record Image(Path layout, String ref, Descriptor manifest, String mediaType, byte[] manifestBytes,
        Descriptor config, List<Descriptor> layers, String architecture) {

    static final String REF_NAME = "org.opencontainers.image.ref.name";

    /** Reads the image tagged {@code ref} from an OCI layout. */
    static Image read(Path layout, String ref) {
        JsonObject entry = indexEntry(layout, ref);
        Descriptor manifest = new Descriptor(entry.getString("digest"), entry.getLong("size"));
        byte[] bytes = blobBytes(layout, manifest.digest());
        JsonObject json = new JsonObject(new String(bytes, StandardCharsets.UTF_8));
        Descriptor config = descriptor(json.getJsonObject("config"));
        List<Descriptor> layers = new ArrayList<>();
        for (Object layer : json.getJsonArray("layers")) {
            layers.add(descriptor((JsonObject) layer));
        }
        String architecture = new JsonObject(new String(blobBytes(layout, config.digest()),
                StandardCharsets.UTF_8)).getString("architecture");
        return new Image(layout, ref, manifest, json.getString("mediaType", entry.getString("mediaType")), bytes,
                config, List.copyOf(layers), architecture);
    }

    /** Config first, then the layers: every blob a pull fetches. */
    List<Descriptor> blobs() {
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(config);
        blobs.addAll(layers);
        return blobs;
    }

    Descriptor largestLayer() {
        return layers.stream().max(Comparator.comparingLong(Descriptor::size)).orElseThrow();
    }

    Path blobFile(String digest) {
        return layout.resolve("blobs/sha256").resolve(Sha256.hex(digest));
    }

    static JsonObject indexEntry(Path layout, String ref) {
        JsonArray manifests = readJson(layout.resolve("index.json")).getJsonArray("manifests");
        for (Object m : manifests) {
            JsonObject entry = (JsonObject) m;
            JsonObject annotations = entry.getJsonObject("annotations");
            if (annotations != null && ref.equals(annotations.getString(REF_NAME))) {
                return entry;
            }
        }
        throw new AssertionError("no image " + ref + " in the OCI layout " + layout);
    }

    static byte[] blobBytes(Path layout, String digest) {
        try {
            return Files.readAllBytes(layout.resolve("blobs/sha256").resolve(Sha256.hex(digest)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonObject readJson(Path file) {
        try {
            return new JsonObject(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Descriptor descriptor(JsonObject json) {
        return new Descriptor(json.getString("digest"), json.getLong("size"));
    }

    @Override
    public String toString() {
        return ref + "@" + manifest.digest();
    }
}
