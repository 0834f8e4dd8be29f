package io.dockercache.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceTest {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @ParameterizedTest
    @ValueSource(strings = {"latest", "3.19", "Latest", "_x"})
    void parse_tag_isTag(String input) {
        Reference reference = Reference.parse(input);

        assertFalse(reference.isDigest());
        assertEquals(Tag.parse(input), reference.tag());
        assertNull(reference.digest());
        assertEquals(input, reference.toString());
    }

    @Test
    void parse_digest_isDigest() {
        Reference reference = Reference.parse(DIGEST);

        assertTrue(reference.isDigest());
        assertEquals(Digest.parse(DIGEST), reference.digest());
        assertNull(reference.tag());
        assertEquals(DIGEST, reference.toString());
    }

    /** The colon decides the grammar, so the message says which one failed. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sha256:abc          | invalid digest",
        "latest:1            | invalid digest",
        "SHA256:abababababab | invalid digest",
        "bad tag             | invalid tag",
        ".hidden             | invalid tag",
        "''                  | invalid tag",
    })
    void parse_invalid_throwsFromMatchingGrammar(String input, String messageStart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reference.parse(input));

        assertTrue(e.getMessage().startsWith(messageStart), e.getMessage());
    }

    @Test
    void parse_null_throws() {
        assertThrows(IllegalArgumentException.class, () -> Reference.parse(null));
    }

    @Test
    void constructor_neitherOrBoth_throws() {
        assertThrows(IllegalArgumentException.class, () -> new Reference(null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Reference(Tag.parse("latest"), Digest.parse(DIGEST)));
    }

    @Test
    void of_null_throws() {
        assertThrows(IllegalArgumentException.class, () -> Reference.of((Tag) null));
        assertThrows(IllegalArgumentException.class, () -> Reference.of((Digest) null));
    }

    @Test
    void of_tagAndDigest_matchParse() {
        assertEquals(Reference.parse("latest"), Reference.of(Tag.parse("latest")));
        assertEquals(Reference.parse(DIGEST), Reference.of(Digest.parse(DIGEST)));
    }
}
