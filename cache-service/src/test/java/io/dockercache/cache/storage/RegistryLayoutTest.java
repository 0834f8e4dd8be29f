package io.dockercache.cache.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dockercache.common.Digest;
import io.dockercache.common.RepositoryName;
import io.dockercache.common.Tag;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The paths must be exactly those of the distribution registry (registry/storage/paths.go), or an
 * existing registry:2 volume would look empty to the cache and ours unreadable to registry:2.
 */
class RegistryLayoutTest {

  private static final String HEX = "b2".repeat(32);
  private static final Digest DIGEST = Digest.parse("sha256:" + HEX);
  private static final String HEX512 = "c3".repeat(64);
  private static final Digest DIGEST512 = Digest.parse("sha512:" + HEX512);
  private static final RepositoryName ALPINE = RepositoryName.parse("library/alpine");
  private static final RepositoryName NESTED = RepositoryName.parse("org/team/app");
  private static final Tag LATEST = Tag.parse("latest");
  private static final String SHA256_LINK = "sha256:0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f";
  private static final String SHA512_LINK = "sha512:e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1";

  static Stream<Arguments> paths() {
    String v2 = "docker/registry/v2/";
    return Stream.of(
        Arguments.of("blob data",
            (Supplier<String>) () -> RegistryLayout.blobData(DIGEST),
            v2 + "blobs/sha256/b2/" + HEX + "/data"),
        Arguments.of("sha512 blob data",
            (Supplier<String>) () -> RegistryLayout.blobData(DIGEST512),
            v2 + "blobs/sha512/c3/" + HEX512 + "/data"),
        Arguments.of("repository",
            (Supplier<String>) () -> RegistryLayout.repository(ALPINE),
            v2 + "repositories/library/alpine/"),
        Arguments.of("layer link",
            (Supplier<String>) () -> RegistryLayout.layerLink(ALPINE, DIGEST),
            v2 + "repositories/library/alpine/_layers/sha256/" + HEX + "/link"),
        Arguments.of("layer link of a nested name",
            (Supplier<String>) () -> RegistryLayout.layerLink(NESTED, DIGEST),
            v2 + "repositories/org/team/app/_layers/sha256/" + HEX + "/link"),
        Arguments.of("revision link",
            (Supplier<String>) () -> RegistryLayout.revisionLink(ALPINE, DIGEST),
            v2 + "repositories/library/alpine/_manifests/revisions/sha256/" + HEX + "/link"),
        Arguments.of("tags directory",
            (Supplier<String>) () -> RegistryLayout.tags(ALPINE),
            v2 + "repositories/library/alpine/_manifests/tags/"),
        Arguments.of("tag current link",
            (Supplier<String>) () -> RegistryLayout.tagCurrentLink(ALPINE, LATEST),
            v2 + "repositories/library/alpine/_manifests/tags/latest/current/link"),
        Arguments.of("tag index link",
            (Supplier<String>) () -> RegistryLayout.tagIndexLink(ALPINE, LATEST, DIGEST),
            v2 + "repositories/library/alpine/_manifests/tags/latest/index/sha256/" + HEX + "/link"),
        Arguments.of("repositories root",
            (Supplier<String>) () -> RegistryLayout.REPOSITORIES,
            v2 + "repositories/"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void path_matchesDistributionLayout(String what, Supplier<String> actual, String expected) {
    assertEquals(expected, actual.get());
  }

  @ParameterizedTest
  @ValueSource(strings = {SHA256_LINK, SHA512_LINK})
  void linkContent_roundTrips(String digest) {
    Digest d = Digest.parse(digest);

    assertEquals(d, RegistryLayout.parseLink(RegistryLayout.linkContent(d)));
  }

  @ParameterizedTest
  @ValueSource(strings = {SHA256_LINK, SHA512_LINK})
  void linkContent_isBareDigestAsRegistryWritesIt(String digest) {
    assertArrayEquals(digest.getBytes(StandardCharsets.US_ASCII),
        RegistryLayout.linkContent(Digest.parse(digest)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\r\n", " ", "\n\n"})
  void parseLink_trailingWhitespace_isTolerated(String trailer) {
    byte[] content = (DIGEST + trailer).getBytes(StandardCharsets.US_ASCII);

    assertEquals(DIGEST, RegistryLayout.parseLink(content));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "latest", "sha256:abc", "SHA256:b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"})
  void parseLink_notADigest_throws(String content) {
    assertThrows(IllegalArgumentException.class,
        () -> RegistryLayout.parseLink(content.getBytes(StandardCharsets.US_ASCII)));
  }
}
