package io.dockercache.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class MediaTypesTest {

    @Test
    void manifestTypes_modernFirstThenSchema1Signed() {
        assertEquals(List.of(
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.distribution.manifest.list.v2+json",
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.oci.image.index.v1+json",
                "application/vnd.docker.distribution.manifest.v1+prettyjws"), MediaTypes.MANIFEST_TYPES);
    }

    @Test
    void manifestTypes_isUnmodifiable() {
        assertThrows(UnsupportedOperationException.class, () -> MediaTypes.MANIFEST_TYPES.add("x/y"));
    }

    @Test
    void acceptHeader_joinsManifestTypes() {
        assertEquals("application/vnd.docker.distribution.manifest.v2+json, "
                + "application/vnd.docker.distribution.manifest.list.v2+json, "
                + "application/vnd.oci.image.manifest.v1+json, "
                + "application/vnd.oci.image.index.v1+json, "
                + "application/vnd.docker.distribution.manifest.v1+prettyjws", MediaTypes.acceptHeader());
    }

    @Test
    void acceptHeader_acceptsEveryManifestType() {
        for (String type : MediaTypes.MANIFEST_TYPES) {
            assertTrue(MediaTypes.accepts(MediaTypes.acceptHeader(), type), type);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "application/vnd.docker.distribution.manifest.list.v2+json           | true",
        "application/vnd.oci.image.index.v1+json                             | true",
        "APPLICATION/VND.OCI.IMAGE.INDEX.V1+JSON                             | true",
        "application/vnd.oci.image.index.v1+json; charset=utf-8              | true",
        "application/vnd.docker.distribution.manifest.v2+json                | false",
        "application/vnd.oci.image.manifest.v1+json                          | false",
        "application/vnd.docker.distribution.manifest.v1+prettyjws           | false",
        "application/json                                                    | false",
        "''                                                                  | false",
    })
    void isIndex_byMediaType(String mediaType, boolean expected) {
        assertEquals(expected, MediaTypes.isIndex(mediaType));
    }

    @ParameterizedTest
    @NullSource
    void isIndex_null_false(String mediaType) {
        assertEquals(false, MediaTypes.isIndex(mediaType));
    }

    private static final String V2 = MediaTypes.DOCKER_MANIFEST_V2;

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "NULL                                                                          | true",
        "''                                                                            | true",
        "'   '                                                                         | true",
        "*/*                                                                           | true",
        "application/*                                                                 | true",
        "APPLICATION/*;q=0.1                                                           | true",
        "text/html, */*;q=0.8                                                          | true",
        "application/vnd.docker.distribution.manifest.v2+json                         | true",
        "APPLICATION/VND.DOCKER.DISTRIBUTION.MANIFEST.V2+JSON                         | true",
        "application/vnd.docker.distribution.manifest.v2+json;q=0.5                   | true",
        "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json ; q=0.9 | true",
        "application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json | true",
        "application/vnd.oci.image.manifest.v1+json                                   | false",
        "application/vnd.docker.distribution.manifest.v2+json.extra                   | false",
        "application/vnd.docker.distribution.manifest.list.v2+json                    | false",
        "text/*                                                                        | false",
        "application/json, text/plain                                                  | false",
        "',,,'                                                                         | false",
    })
    void accepts_dockerManifestV2(String acceptHeader, boolean expected) {
        assertEquals(expected, MediaTypes.accepts(acceptHeader, V2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json"})
    void accepts_joinedAcceptHeaders_findsLaterHeader(String mediaType) {
        String joined = String.join(", ", MediaTypes.DOCKER_MANIFEST_V2, MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST);

        assertTrue(MediaTypes.accepts(joined, mediaType));
    }

    @Test
    void accepts_nullMediaType_throws() {
        assertThrows(NullPointerException.class, () -> MediaTypes.accepts("*/*", null));
    }
}
