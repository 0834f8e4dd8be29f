package io.dockercache.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoryNameTest {

    private static final Duration FAST = Duration.ofSeconds(2);

    static Stream<String> valid() {
        return Stream.of(
                "a",
                "0",
                "alpine",
                "library/alpine",
                "bitnami/redis",
                "a/b/c/d",
                "a.b",
                "a_b",
                "a__b",
                "a-b",
                "a--b",
                "a---b",
                "a1.b2_c3__d4-e5--f6",
                "my-org/my.repo_name/sub-1",
                "9/8/7",
                "a".repeat(255),
                "a".repeat(127) + "/" + "b".repeat(127));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parse_valid_keepsValue(String input) {
        RepositoryName name = RepositoryName.parse(input);

        assertEquals(input, name.value());
        assertEquals(input, name.toString());
    }

    static Stream<String> invalid() {
        return Stream.of(
                "",
                "A",
                "Alpine",
                "library/Alpine",
                "LIBRARY/alpine",
                "a//b",
                "a/",
                "/a",
                "/",
                "a___b",
                "a..b",
                "a._b",
                "a_.b",
                "a-.b",
                "-a",
                "a-",
                "_a",
                "a_",
                "__a",
                "a__",
                ".a",
                "a.",
                "a b",
                "a:b",
                "a@b",
                "a\\b",
                "a\nb",
                "a\u00e4",
                "docker.io/library/alpine:latest",
                "a".repeat(256),
                "a".repeat(128) + "/" + "b".repeat(127));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void parse_invalid_throws(String input) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RepositoryName.parse(input));

        assertTrue(e.getMessage().startsWith("invalid repository name " + Excerpt.quote(input)), e.getMessage());
    }

    @Test
    void parse_null_throws() {
        assertThrows(IllegalArgumentException.class, () -> RepositoryName.parse(null));
    }

    @Test
    void parse_uppercaseRepository_throwsNamingIndex() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RepositoryName.parse("library/Alpine"));

        assertTrue(e.getMessage().contains("'A' at index 8"), e.getMessage());
    }

    @Test
    void parse_trailingSlash_saysItEndsEarly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RepositoryName.parse("a/"));

        assertTrue(e.getMessage().contains("must end with"), e.getMessage());
    }

    /** Long enough to overflow the stack of a java.util.regex version of the grammar. */
    @ParameterizedTest
    @ValueSource(ints = {4_000, 100_000})
    void parse_hugeName_failsFast(int length) {
        String[] inputs = {"a".repeat(length), "a-".repeat(length / 2) + "a", "ab/".repeat(length / 3) + "Z"};
        for (String input : inputs) {
            IllegalArgumentException e = assertTimeoutPreemptively(FAST,
                    () -> assertThrows(IllegalArgumentException.class, () -> RepositoryName.parse(input)));

            assertTrue(e.getMessage().contains("must be 1 to 255 characters"), e.getMessage());
            assertTrue(e.getMessage().length() < 300, "message is bounded");
        }
    }

    @Test
    void firstInvalidIndex_hugeValidGrammar_scansWithoutStackOverflow() {
        String huge = "a-b__c.d/".repeat(100_000) + "e";

        assertEquals(-1, assertTimeoutPreemptively(FAST, () -> RepositoryName.firstInvalidIndex(huge)));
    }

    @Test
    void firstInvalidIndex_hugeWithBadTail_pointsAtIt() {
        String huge = "a--b/".repeat(100_000) + "c___d";

        assertEquals(huge.length() - 2, RepositoryName.firstInvalidIndex(huge));
    }

    @Test
    void components_splitsOnSlash() {
        assertEquals(List.of("library", "alpine"), RepositoryName.parse("library/alpine").components());
        assertEquals(List.of("a", "b.c", "d"), RepositoryName.parse("a/b.c/d").components());
        assertEquals(List.of("alpine"), RepositoryName.parse("alpine").components());
    }

    @Test
    void isSingleComponent_onlyWithoutSlash() {
        assertTrue(RepositoryName.parse("alpine").isSingleComponent());
        assertFalse(RepositoryName.parse("library/alpine").isSingleComponent());
    }

    @Test
    void withLibraryPrefix_officialImage_getsLibrary() {
        assertEquals(RepositoryName.parse("library/alpine"), RepositoryName.parse("alpine").withLibraryPrefix());
    }

    @ParameterizedTest
    @ValueSource(strings = {"library/alpine", "bitnami/redis", "a/b/c"})
    void withLibraryPrefix_namespaced_unchanged(String input) {
        RepositoryName name = RepositoryName.parse(input);

        assertSame(name, name.withLibraryPrefix());
    }

    @Test
    void withLibraryPrefix_resultOver255_throws() {
        RepositoryName name = RepositoryName.parse("a".repeat(250));

        assertThrows(IllegalArgumentException.class, name::withLibraryPrefix);
    }

    @Test
    void equals_sameValue_isEqual() {
        assertEquals(new RepositoryName("a/b"), RepositoryName.parse("a/b"));
    }
}
