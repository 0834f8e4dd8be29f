package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Assertions about registry responses and pulled images. */
final class ImageAssertions {

    static final String API_VERSION = "Docker-Distribution-API-Version";

    private ImageAssertions() {
    }

    /** Every registry response carries {@code Docker-Distribution-API-Version: registry/2.0}. */
    static void assertApiVersionHeader(RegistryResponse response) {
        assertEquals("registry/2.0", response.header(API_VERSION),
                () -> "missing or wrong " + API_VERSION + " header: " + response.describe());
    }

    /** A registry error: this status, the JSON envelope with this code first, the API version header. */
    static void assertRegistryError(RegistryResponse response, int status, String code) {
        assertEquals(status, response.status(), () -> "status of " + response.describe());
        assertEquals(code, response.errorCode(), () -> "error code of " + response.describe());
        assertApiVersionHeader(response);
    }

    /** A registry error envelope with a non-empty {@code errors} array, whatever the code. */
    static void assertErrorEnvelope(RegistryResponse response) {
        JsonArray errors;
        try {
            errors = response.json().getJsonArray("errors");
        } catch (RuntimeException e) {
            throw new AssertionError("not a registry error envelope: " + response.describe(), e);
        }
        assertNotNull(errors, () -> "no errors array: " + response.describe());
        assertTrue(!errors.isEmpty(), () -> "empty errors array: " + response.describe());
    }

    /** The manifest by {@code reference} comes back byte for byte (its digest) with its media type. */
    static void assertManifest(RegistryClient client, String name, String reference, Descriptor manifest,
            String mediaType) {
        RegistryResponse response = client.manifest(name, reference);
        assertEquals(200, response.status(), () -> "manifest " + name + ":" + reference + ": " + response.describe());
        assertEquals(manifest.digest(), Sha256.of(response.body()),
                () -> "manifest bytes of " + name + ":" + reference + " differ from the upstream's: "
                        + response.describe());
        assertEquals(manifest.digest(), response.header("Docker-Content-Digest"), () -> response.describe());
        assertEquals(mediaType, response.header("Content-Type"), () -> "media type: " + response.describe());
        assertApiVersionHeader(response);
    }

    /** The blob streams completely and hashes to its digest. */
    static void assertBlob(RegistryClient client, String name, Descriptor blob) {
        Download download = client.blob(name, blob.digest());
        assertTrue(download.isComplete(blob.digest(), blob.size()),
                () -> "blob " + blob + " of " + name + " was not served intact: " + download);
        assertEquals("registry/2.0", download.header(API_VERSION), () -> "missing " + API_VERSION + ": " + download);
    }

    /** Pulls {@code name:reference} like a client does: manifest, then every blob, each verified. */
    static void assertPulls(RegistryClient client, String name, String reference, Image image) {
        assertManifest(client, name, reference, image.manifest(), image.mediaType());
        for (Descriptor blob : image.blobs()) {
            assertBlob(client, name, blob);
        }
    }

    /** Pulls an index and, by digest, every image it lists. */
    static void assertPulls(RegistryClient client, String name, String reference, ImageIndex index) {
        assertManifest(client, name, reference, index.index(), index.mediaType());
        for (Image image : index.images()) {
            assertPulls(client, name, image.manifest().digest(), image);
        }
    }

    /** Every blob file of an OCI layout hashes to its name, and these blobs are among them. */
    static void assertLayoutIntact(Path layout, List<Descriptor> expected) {
        for (Descriptor blob : expected) {
            Path file = layout.resolve("blobs/sha256").resolve(Sha256.hex(blob.digest()));
            assertTrue(Files.isRegularFile(file), () -> "blob " + blob + " missing from " + layout);
            assertEquals(blob.digest(), Sha256.of(file), () -> "blob file " + file + " does not hash to its digest");
        }
    }

    /** Waits until the files exist: a cache may commit just after the response ends. */
    static void awaitFiles(Duration timeout, List<Path> files) {
        Await.until(timeout, () -> files.stream().allMatch(Files::exists),
                () -> "files never appeared: " + files.stream().filter(f -> !Files.exists(f)).toList());
    }
}
