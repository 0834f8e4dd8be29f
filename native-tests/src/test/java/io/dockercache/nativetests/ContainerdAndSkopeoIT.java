package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** containerd ({@code ctr --hosts-dir}) and skopeo pull single- and multi-platform images through the cache. */
@ExtendWith(PrintLogsOnFailure.class)
class ContainerdAndSkopeoIT {

    private static final Duration COPY_TIMEOUT = Duration.ofMinutes(5);
    private static final Closer closer = new Closer();
    private static Image big;
    private static ImageIndex multi;
    private static CacheProcess cache;
    private static Containerd containerd;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        big = TestImages.big();
        multi = TestImages.multiArch();
        TestImages.push(big, upstream.hostPort(), "library/big", "1");
        TestImages.push(big, upstream.hostPort(), "library/bigcopy", "1");
        TestImages.push(multi, upstream.hostPort(), "library/multi", "1");
        TestImages.push(multi, upstream.hostPort(), "library/multicopy", "1");
        cache = closer.register(CacheProcess.of(upstream.url()).start());
        containerd = closer.register(Containerd.start(cache.url()));
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void ctrPull_throughHostsToml_everyLayerHashesToItsDigest() {
        containerd.pull("docker.io/library/big:1");

        for (Descriptor blob : big.blobs()) {
            assertEquals(blob.digest(), containerd.contentSha256(blob.digest()), () -> "containerd's copy of " + blob);
        }
        // The fallback server is a closed port, but prove the bytes came through the cache anyway.
        ImageAssertions.awaitFiles(Duration.ofSeconds(10),
                big.blobs().stream().map(blob -> cache.blobData(blob.digest())).toList());
    }

    @Test
    void ctrPull_multiArchIndex_allPlatformsHashToTheirDigests() {
        containerd.pull("docker.io/library/multi:1", "--all-platforms");

        assertEquals(multi.index().digest(), containerd.contentSha256(multi.index().digest()), "the index itself");
        for (Image image : multi.images()) {
            assertEquals(image.manifest().digest(), containerd.contentSha256(image.manifest().digest()),
                    () -> image.architecture() + " manifest");
            for (Descriptor blob : image.blobs()) {
                assertEquals(blob.digest(), containerd.contentSha256(blob.digest()),
                        () -> image.architecture() + " blob " + blob);
            }
        }
    }

    @Test
    void skopeoCopy_throughCache_everyBlobHashesToItsDigest() {
        Path out = WorkDir.create("skopeo-big").resolve("oci");

        skopeo("copy", "--preserve-digests", "docker://" + cache.hostPort() + "/library/bigcopy:1",
                "oci:" + out + ":big");

        Image copied = Image.read(out, "big");
        assertEquals(big.manifest(), copied.manifest(), "manifest digest of the copy");
        ImageAssertions.assertLayoutIntact(out, big.blobs());
        WorkDir.deleteTree(out);
    }

    @Test
    void skopeoCopyAll_multiArchIndex_everyPlatformIntact() {
        Path out = WorkDir.create("skopeo-multi").resolve("oci");

        skopeo("copy", "--all", "--preserve-digests", "docker://" + cache.hostPort() + "/library/multicopy:1",
                "oci:" + out + ":multi");

        assertEquals(multi.index().digest(), Image.indexEntry(out, "multi").getString("digest"),
                "index digest of the copy");
        List<Descriptor> expected = new ArrayList<>();
        expected.add(multi.index());
        for (Image image : multi.images()) {
            expected.add(image.manifest());
            expected.addAll(image.blobs());
        }
        ImageAssertions.assertLayoutIntact(out, expected);
    }

    @Test
    void skopeoInspectRaw_returnsTheIndexByteForByte() {
        String raw = skopeo("inspect", "--raw", "docker://" + cache.hostPort() + "/library/multi:1").stdout();

        assertArrayEquals(multi.indexBytes(), raw.getBytes(StandardCharsets.UTF_8),
                () -> "skopeo inspect --raw through the cache printed:\n" + raw);
    }

    private static Command.Result skopeo(String verb, Object... args) {
        List<Object> command = new ArrayList<>(List.of(Tools.skopeo(), "--insecure-policy", verb));
        command.add(verb.equals("copy") ? "--src-tls-verify=false" : "--tls-verify=false");
        command.addAll(List.of(args));
        return Command.run(COPY_TIMEOUT, command.toArray());
    }
}
