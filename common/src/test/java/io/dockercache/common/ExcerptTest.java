package io.dockercache.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExcerptTest {

    @Test
    void quote_null_saysNull() {
        assertEquals("null", Excerpt.quote(null));
    }

    @Test
    void quote_short_isQuotedWhole() {
        assertEquals("'library/alpine'", Excerpt.quote("library/alpine"));
    }

    @Test
    void quote_long_isTruncatedWithLength() {
        String quoted = Excerpt.quote("x".repeat(100_000));

        assertEquals("'" + "x".repeat(Excerpt.MAX_CHARS) + "'... (100000 chars)", quoted);
    }

    @Test
    void quote_exactlyMax_isNotTruncated() {
        assertEquals("'" + "y".repeat(Excerpt.MAX_CHARS) + "'", Excerpt.quote("y".repeat(Excerpt.MAX_CHARS)));
    }

    @Test
    void quote_controlCharacters_areReplaced() {
        assertEquals("'a??b?'", Excerpt.quote("a\r\nb\u0000"));
    }

    @Test
    void quote_surrogatePairAtCut_isNotSplit() {
        String value = "x".repeat(Excerpt.MAX_CHARS - 1) + "\uD83D\uDE00" + "tail";

        String quoted = Excerpt.quote(value);

        assertTrue(quoted.startsWith("'" + "x".repeat(Excerpt.MAX_CHARS - 1) + "'"), quoted);
    }
}
