package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HTTPS on the registry port from PEM files; plain HTTP on that port is refused. */
@ExtendWith(PrintLogsOnFailure.class)
class TlsIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final Closer closer = new Closer();
    private static Image image;
    private static FaultProxy upstreamProxy;
    private static TestCertificates certificates;
    private static CacheProcess cache;

    @BeforeAll
    static void start() {
        UpstreamRegistry upstream = closer.register(UpstreamRegistry.start());
        image = TestImages.small("tls");
        TestImages.push(image, upstream.hostPort(), "library/viaskopeo", "1");
        TestImages.push(image, upstream.hostPort(), "library/viadockerd", "1");
        upstreamProxy = closer.register(FaultProxy.start(upstream.url()));
        certificates = TestCertificates.create();
        cache = closer.register(CacheProcess.of(upstreamProxy.url())
                .tls(certificates.serverCertificate(), certificates.serverKey()).start());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void skopeo_withTheTestCa_pullsOverHttps() {
        Path out = WorkDir.create("skopeo-tls").resolve("oci");
        String source = "docker://" + cache.hostPort() + "/library/viaskopeo:1";

        Command.Result untrusted = Command.tryRun(TIMEOUT, Tools.skopeo(), "--insecure-policy", "inspect", "--raw",
                "--cert-dir", WorkDir.create("empty-certs"), source);
        Command.Result copy = Command.tryRun(TIMEOUT, Tools.skopeo(), "--insecure-policy", "copy",
                "--src-cert-dir", certificates.caDirectory(), source, "oci:" + out + ":tls");

        assertNotEquals(0, untrusted.exitCode(),
                () -> "skopeo trusted the cache's certificate without the test CA:\n" + untrusted.tail());
        assertEquals(0, copy.exitCode(), () -> "skopeo copy over HTTPS with the test CA failed:\n" + copy.tail());
        ImageAssertions.assertLayoutIntact(out, image.blobs());
        WorkDir.deleteTree(out.getParent());
    }

    @Test
    void dockerd_withTheCaInCertsD_pullsThroughTheTlsPort() {
        try (DockerCertsDir trust = DockerCertsDir.install(cache.hostPort(), certificates.caCertificate());
             Dockerd dockerd = Dockerd.startVerifying(cache.url())) {
            Command.Result pull = dockerd.docker(TIMEOUT, "pull", "viadockerd:1");

            assertEquals(0, pull.exitCode(), () -> "docker pull through the https mirror failed:\n" + pull.tail()
                    + "\n--- dockerd log ---\n" + dockerd.logTail());
            assertEquals(image.config().digest(), dockerd.imageId("viadockerd:1"), "image ID of viadockerd:1");
            for (Descriptor blob : image.blobs()) {
                assertTrue(upstreamProxy.requests().count("GET", "/library/viadockerd/blobs/" + blob.digest()) >= 1,
                        () -> "the cache never fetched " + blob + ": " + upstreamProxy.requests());
            }
        }
    }

    @Test
    void curl_httpsWithTheCaAnswers_plainHttpIsRefused() {
        Command.Result https = Command.tryRun(Duration.ofSeconds(30), Tools.curl(), "-sS", "--cacert",
                certificates.caCertificate(), "-w", "\n%{http_code}", cache.url() + "/v2/");
        Command.Result plain = Command.tryRun(Duration.ofSeconds(30), Tools.curl(), "-sS", "-o", "/dev/null",
                "-w", "%{http_code}", "http://" + cache.hostPort() + "/v2/");

        assertEquals(0, https.exitCode(), () -> "curl over HTTPS with the test CA: " + https.tail());
        assertTrue(https.stdout().endsWith("200"), () -> "GET /v2/ over HTTPS: " + https.tail());
        // curl prints 000 when the connection is closed without an answer (exit 52, "Empty reply").
        assertNotEquals("200", plain.stdout().trim(), () -> "plain HTTP on the TLS port answered 200: " + plain.tail());
    }

    @Test
    void certificateWithoutKey_refusesToStart() {
        CacheProcess.StartFailure failure = CacheProcess.of(upstreamProxy.url())
                .env("DOCKER_CACHE_TLS_CERT_FILE", certificates.serverCertificate().toString())
                .startExpectingFailure(Duration.ofSeconds(60));

        assertNotEquals(0, failure.exitCode(), () -> "exit code:\n" + failure.output());
        assertTrue(failure.output().contains("docker_cache_tls_key_file"),
                () -> "the output does not name docker_cache_tls_key_file:\n" + failure.output());
    }
}
