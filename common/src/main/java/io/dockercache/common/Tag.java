package io.dockercache.common;

/**
 * A tag such as {@code latest} or {@code 3.19}, checked against the OCI distribution spec
 * grammar (spec.md, "Pulling manifests", {@code <reference>} as a tag):
 * {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}. Scanned by hand, length first.
 */
public record Tag(String value) {

    static final int MAX_LENGTH = 128;

    public Tag {
        if (value == null) {
            throw new IllegalArgumentException("invalid tag: a tag is required");
        }
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw invalid(value, "must be 1 to " + MAX_LENGTH + " characters, got " + value.length());
        }
        if (!isWordChar(value.charAt(0))) {
            throw invalid(value, "must start with a letter, digit or _");
        }
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isWordChar(c) && c != '.' && c != '-') {
                throw invalid(value, "unexpected " + Excerpt.quote(String.valueOf(c)) + " at index " + i);
            }
        }
    }

    public static Tag parse(String s) {
        return new Tag(s);
    }

    @Override
    public String toString() {
        return value;
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static IllegalArgumentException invalid(String value, String problem) {
        return new IllegalArgumentException("invalid tag " + Excerpt.quote(value) + ": " + problem);
    }
}
