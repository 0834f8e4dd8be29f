package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** A real dockerd pulls through the cache as its registry mirror. */
@ExtendWith(PrintLogsOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerPullIT {

    private static final Closer closer = new Closer();
    private static Image image;
    private static FaultProxy upstreamProxy;
    private static Dockerd dockerd;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        image = TestImages.big();
        // dockerd asks the mirror for library/<x> when told to pull <x>.
        TestImages.push(image, upstream.hostPort(), "library/big", "1");
        TestImages.push(TestImages.multiArch(), upstream.hostPort(), "library/multi", "1");
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        CacheProcess cache = closer.register(CacheProcess.of(upstreamProxy.url()).start());
        dockerd = closer.register(Dockerd.start(cache.url()));
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    @Order(1)
    void pull_throughMirror_imageIdIsTheUpstreamConfigDigest() {
        dockerd.pull("big:1");

        assertEquals(image.config().digest(), dockerd.imageId("big:1"), "image ID of big:1");
        for (Descriptor blob : image.blobs()) {
            assertEquals(1, upstreamProxy.requests().count("GET", "/blobs/" + blob.digest()),
                    () -> "upstream GETs of " + blob + " during the first pull; upstream saw "
                            + upstreamProxy.requests());
        }
    }

    @Test
    @Order(2)
    void pullAgainAfterRmi_makesNoUpstreamBlobGet() {
        if (!dockerd.hasImage("big:1")) {
            dockerd.pull("big:1");
        }
        dockerd.rmi("big:1");
        upstreamProxy.requests().reset();

        dockerd.pull("big:1");

        assertEquals(image.config().digest(), dockerd.imageId("big:1"), "image ID of big:1 after the second pull");
        assertEquals(0, upstreamProxy.requests().count("GET", "/blobs/"),
                () -> "upstream blob GETs during the second pull: " + upstreamProxy.requests());
    }

    @Test
    @Order(3)
    void pullMultiArchIndex_resolvesTheHostPlatformsImage() {
        String platform = System.getProperty("os.arch").equals("aarch64") ? "arm64" : "amd64";
        Image expected = TestImages.multiArch().images().stream()
                .filter(i -> i.architecture().equals(platform)).findFirst().orElseThrow();

        dockerd.pull("multi:1");

        assertEquals(expected.config().digest(), dockerd.imageId("multi:1"), "image ID of multi:1 on " + platform);
    }
}
