package io.dockercache.common;

import java.util.ArrayList;
import java.util.List;

/**
 * A repository name such as {@code library/alpine}, checked against the OCI distribution spec
 * grammar (spec.md, "Pulling manifests", {@code <name>}):
 *
 * <pre>
 * name           ::= path-component ("/" path-component)*
 * path-component ::= [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
 * </pre>
 *
 * The grammar is implemented as a scanner, not a regex: java.util.regex recurses per repetition
 * and overflows the stack on a name of a few thousand characters. The total length is bounded
 * first by distribution's {@code NameTotalLengthMax} (255).
 */
public record RepositoryName(String value) {

    static final int MAX_LENGTH = 255;

    private static final String DOCKER_HUB_OFFICIAL_NAMESPACE = "library/";

    public RepositoryName {
        if (value == null) {
            throw new IllegalArgumentException("invalid repository name: a name is required");
        }
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw invalid(value, "must be 1 to " + MAX_LENGTH + " characters, got " + value.length());
        }
        int bad = firstInvalidIndex(value);
        if (bad == value.length()) {
            throw invalid(value, "must end with a lowercase letter or digit");
        }
        if (bad >= 0) {
            throw invalid(value, "unexpected " + Excerpt.quote(String.valueOf(value.charAt(bad)))
                    + " at index " + bad + " (lowercase letters and digits, separated by . _ __ - or /)");
        }
    }

    public static RepositoryName parse(String s) {
        return new RepositoryName(s);
    }

    /** The {@code /}-separated path components, e.g. {@code [library, alpine]}. */
    public List<String> components() {
        List<String> parts = new ArrayList<>();
        int from = 0;
        for (int slash = value.indexOf('/'); slash >= 0; slash = value.indexOf('/', from)) {
            parts.add(value.substring(from, slash));
            from = slash + 1;
        }
        parts.add(value.substring(from));
        return List.copyOf(parts);
    }

    public boolean isSingleComponent() {
        return value.indexOf('/') < 0;
    }

    /**
     * Docker Hub's normalisation: official images live under {@code library/}, so {@code alpine}
     * becomes {@code library/alpine}; a name with a {@code /} is returned unchanged. Throws
     * {@link IllegalArgumentException} if the prefixed name would exceed 255 characters.
     */
    public RepositoryName withLibraryPrefix() {
        return isSingleComponent() ? new RepositoryName(DOCKER_HUB_OFFICIAL_NAMESPACE + value) : this;
    }

    @Override
    public String toString() {
        return value;
    }

    /**
     * Scans {@code s} against the grammar above in one pass; returns -1 when it matches, else the
     * index of the first character that does not fit ({@code s.length()} if it ends too early).
     * Iterative, so safe on any length; callers bound the length for the sake of everything else.
     */
    static int firstInvalidIndex(String s) {
        int n = s.length();
        int i = 0;
        while (true) {
            int end = alphanumericRunEnd(s, i);
            if (end == i) {
                return i; // a component starts with [a-z0-9]+
            }
            i = end;
            while (i < n && s.charAt(i) != '/') {
                int separatorEnd = separatorEnd(s, i);
                if (separatorEnd == i) {
                    return i;
                }
                end = alphanumericRunEnd(s, separatorEnd);
                if (end == separatorEnd) {
                    return separatorEnd; // a separator is followed by [a-z0-9]+
                }
                i = end;
            }
            if (i == n) {
                return -1;
            }
            i++; // the '/' between components
        }
    }

    private static int alphanumericRunEnd(String s, int i) {
        while (i < s.length() && isLowerAlphanumeric(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** End of the separator {@code \.|_|__|-+} starting at {@code i}, or {@code i} if none. */
    private static int separatorEnd(String s, int i) {
        char c = s.charAt(i);
        if (c == '.') {
            return i + 1;
        }
        if (c == '_') {
            return i + 1 < s.length() && s.charAt(i + 1) == '_' ? i + 2 : i + 1;
        }
        int j = i;
        while (j < s.length() && s.charAt(j) == '-') {
            j++;
        }
        return j;
    }

    private static boolean isLowerAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static IllegalArgumentException invalid(String value, String problem) {
        return new IllegalArgumentException("invalid repository name " + Excerpt.quote(value) + ": " + problem);
    }
}
