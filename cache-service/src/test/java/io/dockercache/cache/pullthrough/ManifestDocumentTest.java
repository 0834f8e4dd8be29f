package io.dockercache.cache.pullthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dockercache.common.Digest;
import io.dockercache.common.MediaTypes;
import io.vertx.core.buffer.Buffer;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestDocumentTest {

  private static final String AMD64 = "sha256:" + "a1".repeat(32);
  private static final String ARM64 = "sha256:" + "b2".repeat(32);
  private static final String ATTESTATION = "sha256:" + "c3".repeat(32);
  private static final String CONFIG = "sha256:" + "d4".repeat(32);

  static Stream<Arguments> documents() {
    return Stream.of(
        Arguments.of("declared docker v2", """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
             "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,"digest":"%s"},
             "layers":[]}""".formatted(CONFIG), MediaTypes.DOCKER_MANIFEST_V2),
        Arguments.of("declared docker manifest list", """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
             "manifests":[]}""", MediaTypes.DOCKER_MANIFEST_LIST),
        Arguments.of("declared OCI index", """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""",
            MediaTypes.OCI_INDEX),
        Arguments.of("declared field wins over shape", """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","manifests":[]}""",
            MediaTypes.OCI_MANIFEST),
        Arguments.of("OCI manifest without field", """
            {"schemaVersion":2,
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":1,"digest":"%s"},
             "layers":[]}""".formatted(CONFIG), MediaTypes.OCI_MANIFEST),
        Arguments.of("OCI index without field", """
            {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "size":1,"digest":"%s","platform":{"os":"linux","architecture":"amd64"}}]}""".formatted(AMD64),
            MediaTypes.OCI_INDEX),
        Arguments.of("empty declared field falls back to shape", """
            {"schemaVersion":2,"mediaType":"","manifests":[]}""", MediaTypes.OCI_INDEX),
        Arguments.of("schema1 signed", """
            {"schemaVersion":1,"name":"library/alpine","tag":"latest","architecture":"amd64",
             "fsLayers":[],"history":[],
             "signatures":[{"header":{"alg":"ES256"},"signature":"c2ln","protected":"cHJvdA"}]}""",
            MediaTypes.DOCKER_MANIFEST_V1_SIGNED),
        Arguments.of("schema1 unsigned", """
            {"schemaVersion":1,"name":"library/alpine","tag":"latest","architecture":"amd64",
             "fsLayers":[],"history":[]}""", MediaTypes.DOCKER_MANIFEST_V1),
        // Not JSON at all: the code falls back to the OCI manifest type rather than failing.
        Arguments.of("invalid JSON", "{\"schemaVersion\":2,", MediaTypes.OCI_MANIFEST),
        Arguments.of("JSON array", "[1,2]", MediaTypes.OCI_MANIFEST));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void mediaType_detectsAsDistributionDoes(String what, String json, String expected) {
    assertEquals(expected, ManifestDocument.mediaType(Buffer.buffer(json)));
  }

  private static final String INDEX = """
      {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
        {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,"digest":"%s",
         "platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
        {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,"digest":"%s",
         "platform":{"os":"linux","architecture":"amd64"}},
        {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,"digest":"%s",
         "platform":{"os":"unknown","architecture":"unknown"},
         "annotations":{"vnd.docker.reference.type":"attestation-manifest"}}
      ]}""".formatted(ARM64, AMD64, ATTESTATION);

  @Test
  void platformEntry_linuxAmd64_findsItsDigest() {
    assertEquals(Optional.of(Digest.parse(AMD64)),
        ManifestDocument.platformEntry(Buffer.buffer(INDEX), "linux", "amd64"));
  }

  @Test
  void platformEntry_linuxArm64_findsItsDigest() {
    assertEquals(Optional.of(Digest.parse(ARM64)),
        ManifestDocument.platformEntry(Buffer.buffer(INDEX), "linux", "arm64"));
  }

  @Test
  void platformEntry_platformNotListed_isEmpty() {
    assertEquals(Optional.empty(),
        ManifestDocument.platformEntry(Buffer.buffer(INDEX), "windows", "amd64"));
  }

  @Test
  void platformEntry_entriesWithoutPlatform_areSkipped() {
    String index = """
        {"schemaVersion":2,"manifests":[
          {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,"digest":"%s"},
          {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,"digest":"%s",
           "platform":{"os":"linux","architecture":"amd64"}}]}""".formatted(ARM64, AMD64);

    assertEquals(Optional.of(Digest.parse(AMD64)),
        ManifestDocument.platformEntry(Buffer.buffer(index), "linux", "amd64"));
  }

  @Test
  void platformEntry_notAnIndex_isEmpty() {
    String manifest = """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}""";

    assertEquals(Optional.empty(),
        ManifestDocument.platformEntry(Buffer.buffer(manifest), "linux", "amd64"));
  }

  @Test
  void platformEntry_invalidJson_isEmpty() {
    assertEquals(Optional.empty(),
        ManifestDocument.platformEntry(Buffer.buffer("not json"), "linux", "amd64"));
  }
}
