package io.dockercache.cache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dockercache.cache.http.RequestPath.Kind;
import io.dockercache.common.Digest;
import io.dockercache.common.ErrorCode;
import io.dockercache.common.RegistryException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestPathTest {

  private static final String HEX = "4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a";
  private static final String DIGEST = "sha256:" + HEX;

  /** path, Docker Hub upstream, kind, name, reference or digest (null when none). */
  static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of("/v2/", Kind.BASE, null, null),
        Arguments.of("/v2", Kind.BASE, null, null),
        Arguments.of("/v2/_catalog", Kind.CATALOG, null, null),
        Arguments.of("/v2/library/alpine/manifests/latest", Kind.MANIFEST, "library/alpine", "latest"),
        Arguments.of("/v2/library/alpine/manifests/3.19.1", Kind.MANIFEST, "library/alpine", "3.19.1"),
        Arguments.of("/v2/library/alpine/manifests/" + DIGEST, Kind.MANIFEST, "library/alpine", DIGEST),
        Arguments.of("/v2/org/team/app/manifests/v1_rc-2", Kind.MANIFEST, "org/team/app", "v1_rc-2"),
        Arguments.of("/v2/manifests/manifests/latest", Kind.MANIFEST, "manifests", "latest"),
        Arguments.of("/v2/library/alpine/blobs/" + DIGEST, Kind.BLOB, "library/alpine", DIGEST),
        Arguments.of("/v2/org/team/app/blobs/" + DIGEST, Kind.BLOB, "org/team/app", DIGEST),
        Arguments.of("/v2/library/alpine/blobs/uploads/", Kind.BLOB_UPLOAD, null, null),
        Arguments.of("/v2/library/alpine/blobs/uploads/3f2a-uuid", Kind.BLOB_UPLOAD, null, null),
        Arguments.of("/v2/library/alpine/tags/list", Kind.TAGS, "library/alpine", null),
        Arguments.of("/v2/org/team/app/tags/list", Kind.TAGS, "org/team/app", null),
        Arguments.of("/v2/library/alpine", Kind.UNKNOWN, null, null),
        Arguments.of("/v2/library/alpine/referrers/" + DIGEST, Kind.UNKNOWN, null, null),
        Arguments.of("/v2/tags/list", Kind.UNKNOWN, null, null),
        Arguments.of("/v2/_catalog/extra", Kind.UNKNOWN, null, null),
        Arguments.of("/v3/library/alpine/manifests/latest", Kind.UNKNOWN, null, null),
        Arguments.of("/", Kind.UNKNOWN, null, null),
        Arguments.of("/v2x", Kind.UNKNOWN, null, null));
  }

  @ParameterizedTest(name = "{0} -> {1} {2} {3}")
  @MethodSource("valid")
  void parse_valid_findsKindNameAndReference(String path, Kind kind, String name, String refOrDigest) {
    RequestPath parsed = RequestPath.parse(path);

    assertEquals(kind, parsed.kind());
    assertEquals(name, parsed.name() == null ? null : parsed.name().toString());
    String actualRef = parsed.reference() != null ? parsed.reference().toString()
        : parsed.digest() != null ? parsed.digest().toString() : null;
    assertEquals(refOrDigest, actualRef);
  }

  @Test
  void parse_manifestByDigest_isDigestReference() {
    RequestPath parsed = RequestPath.parse("/v2/library/alpine/manifests/" + DIGEST);

    assertEquals(Digest.parse(DIGEST), parsed.reference().digest());
    assertNull(parsed.reference().tag());
  }

  @Test
  void parse_nameAsThePathGivesIt_noLibraryPrefix() {
    // Docker Hub's library/ is the routing's to add (RegistriesTest): the path's name is kept.
    assertEquals("alpine", RequestPath.parse("/v2/alpine/manifests/latest").name().toString());
    assertEquals("ghcr.io/owner/app", RequestPath.parse("/v2/ghcr.io/owner/app/tags/list").name().toString());
  }

  /** path, expected error code. */
  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("/v2/Library/Alpine/manifests/latest", ErrorCode.NAME_INVALID),
        Arguments.of("/v2/library//alpine/manifests/latest", ErrorCode.NAME_INVALID),
        Arguments.of("/v2/../etc/manifests/latest", ErrorCode.NAME_INVALID),
        Arguments.of("/v2/library/-alpine/blobs/" + DIGEST, ErrorCode.NAME_INVALID),
        Arguments.of("/v2/library/alpine_/tags/list", ErrorCode.NAME_INVALID),
        Arguments.of("/v2/a" + "b".repeat(255) + "/manifests/latest", ErrorCode.NAME_INVALID),
        Arguments.of("/v2/library/alpine/blobs/sha256:xyz", ErrorCode.DIGEST_INVALID),
        Arguments.of("/v2/library/alpine/blobs/latest", ErrorCode.DIGEST_INVALID),
        Arguments.of("/v2/library/alpine/blobs/sha256:" + HEX.toUpperCase(), ErrorCode.DIGEST_INVALID),
        Arguments.of("/v2/library/alpine/blobs/md5:" + "a".repeat(32), ErrorCode.DIGEST_INVALID),
        Arguments.of("/v2/library/alpine/manifests/sha256:" + HEX.substring(1), ErrorCode.DIGEST_INVALID),
        Arguments.of("/v2/library/alpine/manifests/sha256:" + HEX.toUpperCase(), ErrorCode.DIGEST_INVALID),
        Arguments.of("/v2/library/alpine/manifests/md5:" + "a".repeat(32), ErrorCode.DIGEST_INVALID),
        Arguments.of("/v2/library/alpine/manifests/sha256:", ErrorCode.DIGEST_INVALID),
        Arguments.of("/v2/library/alpine/manifests/:latest", ErrorCode.DIGEST_INVALID),
        // A reference that is no tag (and has no colon, so no digest) names no manifest at all:
        // 404, as distribution and the OCI conformance pull workflow have it.
        Arguments.of("/v2/library/alpine/manifests/.INVALID_MANIFEST_NAME", ErrorCode.MANIFEST_UNKNOWN),
        Arguments.of("/v2/library/alpine/manifests/-latest", ErrorCode.MANIFEST_UNKNOWN),
        Arguments.of("/v2/library/alpine/manifests/.hidden", ErrorCode.MANIFEST_UNKNOWN),
        Arguments.of("/v2/library/alpine/manifests/", ErrorCode.MANIFEST_UNKNOWN),
        Arguments.of("/v2/library/alpine/manifests/" + "t".repeat(129), ErrorCode.MANIFEST_UNKNOWN),
        Arguments.of("/v2/library/alpine/manifests/a+b", ErrorCode.MANIFEST_UNKNOWN),
        // The name is judged first, whatever the reference.
        Arguments.of("/v2/Library/Alpine/manifests/.INVALID_MANIFEST_NAME", ErrorCode.NAME_INVALID),
        Arguments.of("/v2/library/-alpine/manifests/sha256:xyz", ErrorCode.NAME_INVALID));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("invalid")
  void parse_invalid_throwsRegistryErrorWithCode(String path, ErrorCode code) {
    RegistryException e = assertThrows(RegistryException.class, () -> RequestPath.parse(path));

    assertEquals(code, e.code());
  }

  @Test
  void parse_referenceThatIsNoTag_namesRepositoryAndProblem() {
    RegistryException e = assertThrows(RegistryException.class,
        () -> RequestPath.parse("/v2/alpine/manifests/.INVALID_MANIFEST_NAME"));

    assertEquals(ErrorCode.MANIFEST_UNKNOWN, e.code());
    assertTrue(e.getMessage().contains("alpine") && e.getMessage().contains("'.INVALID_MANIFEST_NAME'"),
        e.getMessage());
  }

  @Test
  void parse_4000CharacterName_throwsNameInvalid() {
    // A regex over the name grammar overflows the stack here (STYLE.md 6); the length bound wins.
    String path = "/v2/" + "a/".repeat(1999) + "a/manifests/latest";

    RegistryException e = assertThrows(RegistryException.class, () -> RequestPath.parse(path));

    assertEquals(ErrorCode.NAME_INVALID, e.code());
  }

  @Test
  void parse_4000CharacterSingleComponentName_throwsNameInvalid() {
    String path = "/v2/" + "a".repeat(4000) + "/blobs/" + DIGEST;

    RegistryException e = assertThrows(RegistryException.class, () -> RequestPath.parse(path));

    assertEquals(ErrorCode.NAME_INVALID, e.code());
  }

  @Test
  void parse_longOneComponentName_isKept() {
    String name = "a".repeat(250);

    assertEquals(name, RequestPath.parse("/v2/" + name + "/manifests/latest").name().toString());
  }

  @Test
  void parse_blobOfNameWithManifestsComponent_isBlob() {
    // "manifests" is a valid name component: the action must be found from the right.
    RequestPath parsed = RequestPath.parse("/v2/team/manifests/app/blobs/" + DIGEST);

    assertEquals(Kind.BLOB, parsed.kind());
    assertEquals("team/manifests/app", parsed.name().toString());
    assertEquals(Digest.parse(DIGEST), parsed.digest());
  }

  @Test
  void parse_tagsOfNameWithManifestsComponent_isTags() {
    // As above, for the tag list.
    RequestPath parsed = RequestPath.parse("/v2/team/manifests/app/tags/list");

    assertEquals(Kind.TAGS, parsed.kind());
    assertEquals("team/manifests/app", parsed.name().toString());
  }
}
