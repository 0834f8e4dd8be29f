package io.dockercache.common;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A content digest, {@code algorithm:hex}, as defined in the OCI image spec, descriptor.md
 * "Digests". Only the two registered algorithms are accepted, each with its exact encoded
 * length in lowercase hex ({@code sha256}: 64, {@code sha512}: 128), because a digest names a
 * file in the cache and must have exactly one spelling.
 */
public record Digest(String algorithm, String hex) {

    /** Longer than any valid digest (sha512 is 135 chars); checked before anything else. */
    static final int MAX_LENGTH = 200;

    private static final String SHA256 = "sha256";
    private static final String SHA512 = "sha512";
    private static final int SHA256_BYTES = 32;

    public Digest {
        String problem = problem(algorithm, hex);
        if (problem != null) {
            throw invalid(algorithm + ":" + hex, problem);
        }
    }

    /** Parses {@code sha256:<64 lowercase hex>} or {@code sha512:<128 lowercase hex>}. */
    public static Digest parse(String s) {
        if (s == null) {
            throw invalid(null, "a digest is required");
        }
        if (s.length() > MAX_LENGTH) {
            throw invalid(s, "longer than " + MAX_LENGTH + " characters");
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            throw invalid(s, "expected algorithm:hex");
        }
        return new Digest(s.substring(0, colon), s.substring(colon + 1));
    }

    /** The sha256 digest whose raw 32 bytes are given, e.g. from {@link MessageDigest#digest()}. */
    public static Digest sha256(byte[] rawDigest) {
        if (rawDigest == null || rawDigest.length != SHA256_BYTES) {
            throw new IllegalArgumentException("a sha256 digest is " + SHA256_BYTES + " bytes, got "
                    + (rawDigest == null ? "null" : rawDigest.length));
        }
        return new Digest(SHA256, HexFormat.of().formatHex(rawDigest));
    }

    public boolean isSha256() {
        return SHA256.equals(algorithm);
    }

    /** A fresh hasher for this digest's algorithm, to verify content against it. */
    public MessageDigest newMessageDigest() {
        String name = isSha256() ? "SHA-256" : "SHA-512";
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide both (MessageDigest javadoc), so this is a broken JRE.
            throw new IllegalStateException(name + " is missing from this JRE", e);
        }
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    private static String problem(String algorithm, String hex) {
        if (algorithm == null || hex == null) {
            return "algorithm and hex are required";
        }
        int expected = hexLength(algorithm);
        if (expected < 0) {
            return "unsupported algorithm, expected sha256 or sha512";
        }
        if (hex.length() != expected) {
            return algorithm + " needs " + expected + " hex characters, got " + hex.length();
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return "not lowercase hex at index " + i;
            }
        }
        return null;
    }

    private static int hexLength(String algorithm) {
        return switch (algorithm) {
            case SHA256 -> 64;
            case SHA512 -> 128;
            default -> -1;
        };
    }

    private static IllegalArgumentException invalid(String value, String problem) {
        return new IllegalArgumentException("invalid digest " + Excerpt.quote(value) + ": " + problem);
    }
}
