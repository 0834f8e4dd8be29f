package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packaged cache against an upstream that redirects to, or names a token realm on, a host it
 * must not call. The cache's JVM resolves names from its own hosts file only
 * ({@code jdk.net.hosts.file}: Quarkus resolves through the JDK), so every name here is 127.0.0.1
 * and no traffic, not even a DNS query, leaves this machine. The upstream itself is reached by a
 * name, so it does not count as a loopback upstream.
 */
@ExtendWith(PrintLogsOnFailure.class)
class RedirectAndRealmPolicyIT {

    private static final String HOSTS = "127.0.0.1 registry.test cdn.test registry.example.co.uk auth.evil.co.uk\n";
    private static final Closer closer = new Closer();
    private static HostileUpstream redirecting;
    private static RegistryClient redirectClient;
    private static HostileUpstream challenging;
    private static RegistryClient realmClient;

    @BeforeAll
    static void start() {
        // A native executable is started without JVM options: no hosts file for it.
        Assumptions.assumeTrue(CacheProcess.isJarRunner(), "needs the jar runner's -Djdk.net.hosts.file");
        Path hosts = writeHosts();
        redirecting = closer.register(HostileUpstream.start("cdn.test", "registry.test"));
        redirectClient = new RegistryClient(closer.register(cache("http://registry.test:" + redirecting.port(), hosts)).url());
        challenging = closer.register(HostileUpstream.start("registry.example.co.uk", "auth.evil.co.uk"));
        realmClient = new RegistryClient(
                closer.register(cache("http://registry.example.co.uk:" + challenging.port(), hosts)).url());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void blob_redirectedToANameOnLoopback_isUnavailableAndTheTargetNeverCalled() {
        RegistryResponse response = redirectClient.get("/v2/library/x/blobs/" + HostileUpstream.BLOB_DIGEST);

        assertEquals(503, response.status(), response::describe);
        assertEquals("UNAVAILABLE", response.errorCode(), response::describe);
        assertTrue(response.text().contains("loopback address"), response::describe);
        assertEquals(0, redirecting.seenUnder("cdn.test"), redirecting::toString);
    }

    @Test
    void manifest_challengedWithARealmOfAnotherCoUkTenant_neverCallsTheRealm() {
        RegistryResponse response = realmClient.manifest("library/x", "1");

        assertEquals(503, response.status(), response::describe);
        assertTrue(response.text().contains("auth.evil.co.uk"), response::describe);
        assertEquals(0, challenging.seenUnder("auth.evil.co.uk"), challenging::toString);
    }

    private static CacheProcess cache(String upstream, Path hosts) {
        return CacheProcess.of(upstream).jvmArgs("-Djdk.net.hosts.file=" + hosts).start();
    }

    private static Path writeHosts() {
        try {
            return Files.writeString(WorkDir.create("hosts").resolve("hosts"), HOSTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
