package io.dockercache.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TagTest {

    static Stream<String> valid() {
        return Stream.of("latest", "3.19", "v1.2.3-rc.1", "_private", "A", "7", "Stable_2024-01-01",
                "a..b", "a--", "x".repeat(128));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parse_valid_keepsValue(String input) {
        Tag tag = Tag.parse(input);

        assertEquals(input, tag.value());
        assertEquals(input, tag.toString());
    }

    static Stream<String> invalid() {
        return Stream.of("", ".hidden", "-dash", "a:b", "a/b", "a b", "a@b", "a+b", "caf\u00e9", "a\n",
                "sha256:" + "0".repeat(64), "x".repeat(129), "x".repeat(100_000));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void parse_invalid_throwsNamingValue(String input) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tag.parse(input));

        assertTrue(e.getMessage().startsWith("invalid tag " + Excerpt.quote(input)), e.getMessage());
    }

    @Test
    void parse_null_throws() {
        assertThrows(IllegalArgumentException.class, () -> Tag.parse(null));
    }
}
