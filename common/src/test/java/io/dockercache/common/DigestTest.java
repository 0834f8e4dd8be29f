package io.dockercache.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DigestTest {

    /** sha256("hello"), a well-known vector. */
    private static final String HELLO_SHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    private static final String HEX64 = "0123456789abcdef".repeat(4);
    private static final String HEX128 = "fedcba9876543210".repeat(8);

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("sha256:" + HEX64, "sha256", HEX64),
                Arguments.of("sha256:" + HELLO_SHA256, "sha256", HELLO_SHA256),
                Arguments.of("sha512:" + HEX128, "sha512", HEX128));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parse_valid_splitsAndRoundTrips(String input, String algorithm, String hex) {
        Digest digest = Digest.parse(input);

        assertEquals(algorithm, digest.algorithm());
        assertEquals(hex, digest.hex());
        assertEquals(input, digest.toString());
    }

    static Stream<String> invalid() {
        return Stream.of(
                "",
                "sha256",
                "sha256:",
                ":" + HEX64,
                "sha256:" + HEX64.substring(1),                // 63 hex
                "sha256:" + HEX64 + "0",                       // 65 hex
                "sha256:" + HEX64.toUpperCase(),               // uppercase hex
                "sha256:" + HEX64.substring(1) + "g",          // not hex
                "sha256:" + HEX64.substring(1) + ":",
                "SHA256:" + HEX64,                             // uppercase algorithm
                "md5:" + HEX64.substring(0, 32),
                "sha384:" + HEX128.substring(0, 96),           // registered in no registry we talk to
                "sha512:" + HEX64,                             // sha512 with sha256 length
                "sha256:" + HEX128,                            // sha256 with sha512 length
                " sha256:" + HEX64,
                "sha256:" + HEX64 + "\n",
                "sha256 " + HEX64);
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void parse_invalid_throwsNamingValue(String input) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Digest.parse(input));

        assertTrue(e.getMessage().contains(Excerpt.quote(input)), e.getMessage());
    }

    @Test
    void parse_null_throws() {
        assertThrows(IllegalArgumentException.class, () -> Digest.parse(null));
    }

    @Test
    void parse_overMaxLength_throwsWithTruncatedMessage() {
        String input = "sha256:" + "a".repeat(Digest.MAX_LENGTH);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Digest.parse(input));

        assertTrue(e.getMessage().contains("sha256:aaa"), e.getMessage());
        assertFalse(e.getMessage().contains(input), "message must not carry the whole input");
        assertTrue(e.getMessage().length() < 200, e.getMessage());
    }

    @Test
    void constructor_invalid_throws() {
        assertThrows(IllegalArgumentException.class, () -> new Digest("sha256", "abc"));
        assertThrows(IllegalArgumentException.class, () -> new Digest(null, HEX64));
        assertThrows(IllegalArgumentException.class, () -> new Digest("sha256", null));
    }

    @Test
    void sha256_rawDigest_encodesLowercaseHex() throws Exception {
        byte[] raw = MessageDigest.getInstance("SHA-256").digest("hello".getBytes(StandardCharsets.US_ASCII));

        assertEquals("sha256:" + HELLO_SHA256, Digest.sha256(raw).toString());
    }

    @Test
    void sha256_wrongLength_throws() {
        assertThrows(IllegalArgumentException.class, () -> Digest.sha256(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> Digest.sha256(new byte[33]));
        assertThrows(IllegalArgumentException.class, () -> Digest.sha256(null));
    }

    @Test
    void isSha256_byAlgorithm() {
        assertTrue(Digest.parse("sha256:" + HEX64).isSha256());
        assertFalse(Digest.parse("sha512:" + HEX128).isSha256());
    }

    @Test
    void newMessageDigest_sha256_verifiesContent() {
        Digest expected = Digest.parse("sha256:" + HELLO_SHA256);
        MessageDigest hasher = expected.newMessageDigest();

        hasher.update("hello".getBytes(StandardCharsets.US_ASCII));

        assertEquals("SHA-256", hasher.getAlgorithm());
        assertEquals(expected, Digest.sha256(hasher.digest()));
    }

    @Test
    void newMessageDigest_sha512_isSha512() {
        MessageDigest hasher = Digest.parse("sha512:" + HEX128).newMessageDigest();

        assertEquals("SHA-512", hasher.getAlgorithm());
        assertEquals(64, hasher.getDigestLength());
    }

    @Test
    void newMessageDigest_eachCall_isFresh() {
        Digest digest = Digest.parse("sha256:" + HEX64);

        assertNotSame(digest.newMessageDigest(), digest.newMessageDigest());
    }

    @Test
    void equals_sameText_isEqual() {
        assertEquals(Digest.parse("sha256:" + HEX64), new Digest("sha256", HEX64));
    }
}
