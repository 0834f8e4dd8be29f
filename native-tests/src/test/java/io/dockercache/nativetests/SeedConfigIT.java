package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An OpenPAI admin's {@code config.yaml} (every seed key of DESIGN.md §2 among unrelated cluster
 * keys) drives the cache unchanged, and the same file with one bad value refuses to start, naming
 * the key and never printing a secret.
 */
@ExtendWith(PrintLogsOnFailure.class)
class SeedConfigIT {

    private static final String NAME = "library/seeded";
    private static final String PASSWORD = "seed-pw-9Kd3";
    /** A well-formed (base64) Azure account key: a secret even while the backend is filesystem. */
    private static final String AZURE_KEY = Base64.getEncoder().encodeToString(
            "azure-account-key-that-must-stay-hidden-0123456789".getBytes(StandardCharsets.UTF_8));
    private static final Closer closer = new Closer();
    private static UpstreamRegistry upstream;
    private static Image image;
    private static HtpasswdFile users;

    @BeforeAll
    static void start() {
        upstream = closer.register(UpstreamRegistry.start());
        image = TestImages.small("seed-config");
        TestImages.push(image, upstream.hostPort(), NAME, "1");
        users = HtpasswdFile.create().bcrypt("admin", PASSWORD);
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void seedFile_drivesStorageUpstreamAndAuth() throws IOException {
        Path root = WorkDir.create("seed-root");
        try (CacheProcess cache = CacheProcess.fromConfigFile(seedYaml(root, upstream.url(), Map.of()), root).start()) {
            RegistryClient client = new RegistryClient(cache.url());

            RegistryResponse anonymous = client.manifest(NAME, "1");
            assertPullsWithCredentials(client);

            assertEquals(401, anonymous.status(), () -> "docker_cache_htpasswd from the file is not enforced: "
                    + anonymous.describe());
            // The storage root came from docker_cache_fs_mount_path in the file.
            ImageAssertions.awaitFiles(Duration.ofSeconds(10),
                    image.blobs().stream().map(blob -> StorageLayout.blobData(root, blob.digest())).toList());
            assertNoSecrets(Files.readString(cache.log(), StandardCharsets.UTF_8), "");
        } finally {
            WorkDir.deleteTree(root);
        }
    }

    @Test
    void environment_overridesTheFile() {
        Path root = WorkDir.create("seed-root");
        String deadUpstream = "http://127.0.0.1:" + FreePort.next();
        try (CacheProcess cache = CacheProcess.fromConfigFile(seedYaml(root, deadUpstream, Map.of()), root)
                .env("DOCKER_CACHE_REMOTE_URL", upstream.url()).start()) {
            assertPullsWithCredentials(new RegistryClient(cache.url()));
        } finally {
            WorkDir.deleteTree(root);
        }
    }

    /** A key, the lines that replace the good file's (null removes the key), a secret among them or "". */
    static Stream<Arguments> badValues() {
        String pastedHtpasswd = "admin:$2y$05$PastedHashNotBase64SecretXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
        String azureSecret = "AzureSecret!Key#not*base64~7Qp";
        return Stream.of(
                Arguments.of("docker_cache_storage_backend", edits("docker_cache_storage_backend", "\"s3\""), ""),
                Arguments.of("docker_cache_remote_url",
                        edits("docker_cache_remote_url", "\"ftp://registry.example\""), ""),
                Arguments.of("enable_docker_cache", edits("enable_docker_cache", "maybe"), ""),
                Arguments.of("docker_cache_azure_account_name", edits("docker_cache_storage_backend", "\"azure\"",
                        "docker_cache_azure_account_name", null), ""),
                Arguments.of("docker_cache_azure_account_key", edits("docker_cache_storage_backend", "\"azure\"",
                        "docker_cache_azure_account_key", "\"" + azureSecret + "\""), azureSecret),
                Arguments.of("docker_cache_htpasswd", edits("docker_cache_htpasswd", "'" + pastedHtpasswd + "'"),
                        pastedHtpasswd.substring("admin:".length())),
                Arguments.of("docker_cache_tag_ttl", edits("docker_cache_tag_ttl", "\"-5s\""), ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValue_refusesToStartNamingTheKey_withoutSecrets(String key, Map<String, String> edits, String secret) {
        Path root = WorkDir.create("seed-root");
        try {
            CacheProcess.StartFailure failure = CacheProcess
                    .fromConfigFile(seedYaml(root, upstream.url(), edits), root)
                    .startExpectingFailure(Duration.ofSeconds(60));

            assertNotEquals(0, failure.exitCode(), () -> "exit code with a bad " + key + ":\n" + failure.output());
            assertTrue(failure.output().contains(key),
                    () -> "the output does not name " + key + ":\n" + failure.output());
            assertNoSecrets(failure.output(), secret);
        } finally {
            WorkDir.deleteTree(root);
        }
    }

    private static void assertPullsWithCredentials(RegistryClient client) {
        String admin = HtpasswdFile.basic("admin", PASSWORD);
        RegistryResponse manifest = client.get("/v2/" + NAME + "/manifests/1",
                "Accept", RegistryClient.ALL_MANIFEST_TYPES, "Authorization", admin);
        assertEquals(200, manifest.status(), () -> "manifest with the file's htpasswd user: " + manifest.describe());
        assertEquals(image.manifest().digest(), Sha256.of(manifest.body()), () -> manifest.describe());
        for (Descriptor blob : image.blobs()) {
            Download download = client.download("/v2/" + NAME + "/blobs/" + blob.digest(), "Authorization", admin);
            assertTrue(download.isComplete(blob.digest(), blob.size()), () -> "blob " + blob + ": " + download);
        }
    }

    private static void assertNoSecrets(String output, String extraSecret) {
        List<String> secrets = new ArrayList<>(List.of(AZURE_KEY, users.base64(), users.hashOf("admin"), PASSWORD));
        if (!extraSecret.isEmpty()) {
            secrets.add(extraSecret);
        }
        for (String secret : secrets) {
            assertFalse(output.contains(secret), () -> "a secret appears in the output: " + secret + "\n" + output);
        }
    }

    private static Map<String, String> edits(String... keyValues) {
        Map<String, String> edits = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            edits.put(keyValues[i], keyValues[i + 1]);
        }
        return edits;
    }

    /**
     * OpenPAI's {@code config.yaml}: cluster keys this program does not know, then every seed key.
     * {@code edits} replace a key's value (null drops the key) or add a key.
     */
    private static String seedYaml(Path root, String remoteUrl, Map<String, String> edits) {
        Map<String, String> seed = new LinkedHashMap<>();
        seed.put("enable_docker_cache", "true");
        seed.put("docker_cache_storage_backend", "\"filesystem\"");
        seed.put("docker_cache_azure_account_name", "\"forexample\"");
        seed.put("docker_cache_azure_account_key", "\"" + AZURE_KEY + "\"");
        seed.put("docker_cache_azure_container_name", "\"dockerregistry\"");
        seed.put("docker_cache_fs_mount_path", "\"" + root + "\"");
        seed.put("docker_cache_remote_url", "\"" + remoteUrl + "\"");
        seed.put("docker_cache_htpasswd", "\"" + users.base64() + "\"");
        seed.put("docker_cache_host", "\"127.0.0.1:30500\"");
        seed.putAll(edits);
        StringBuilder yaml = new StringBuilder("""
                user: admin
                password: admin-password
                docker_image_tag: v1.8.0

                # OpenPAI customized settings
                enable_hived_scheduler: true
                openpai_kube_network_plugin: calico
                openpai_kubespray_extra_var:
                  download_container: false
                  skip_downloads: true
                ssh_user: root
                ssh_port: 22
                gpu_type: nvidia
                worker_nodes: ["10.0.0.2", "10.0.0.3"]

                # docker cache
                """);
        seed.forEach((key, value) -> {
            if (value != null) {
                yaml.append(key).append(": ").append(value).append('\n');
            }
        });
        return yaml.toString();
    }
}
