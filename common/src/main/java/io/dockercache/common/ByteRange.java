package io.dockercache.common;

import java.util.Optional;

/**
 * One satisfiable byte range of a representation, {@code start} to {@code end} inclusive, as
 * asked for by a {@code Range} header (RFC 9110 §14.1.2) and answered with
 * {@code Content-Range} (RFC 9110 §14.4).
 */
public record ByteRange(long start, long end) {

    /** 18 digits always fit in a long; longer numbers are not parsed at all. */
    private static final int MAX_DIGITS = 18;
    private static final String BYTES_UNIT = "bytes=";

    public ByteRange {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("invalid byte range " + start + "-" + end);
        }
    }

    /**
     * The single range {@code rangeHeader} asks for within a representation of {@code size}
     * bytes:
     *
     * <pre>
     * ranges-specifier = range-unit "=" range-set      ; only the unit "bytes"
     * range-spec       = int-range / suffix-range     ; exactly one, no comma
     * int-range        = first-pos "-" [ last-pos ]
     * suffix-range     = "-" suffix-length
     * </pre>
     *
     * Empty when there is no header, another unit, a syntax error or several ranges: a server
     * may ignore such a Range and send the whole representation with 200 (RFC 9110 §14.2).
     * {@code last-pos} beyond the end is clamped to {@code size - 1}.
     *
     * @throws NotSatisfiableException when no byte of a well-formed range exists ({@code first-pos
     *         >= size}, a zero suffix, any suffix of an empty representation) or its
     *         {@code last-pos} is before its {@code first-pos}
     */
    public static Optional<ByteRange> parse(String rangeHeader, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative representation size " + size);
        }
        if (rangeHeader == null
                || !rangeHeader.regionMatches(true, 0, BYTES_UNIT, 0, BYTES_UNIT.length())) {
            return Optional.empty(); // range units are case-insensitive (RFC 9110 §14.1)
        }
        String spec = rangeHeader.substring(BYTES_UNIT.length());
        int dash = spec.indexOf('-');
        if (dash < 0 || spec.indexOf(',') >= 0) {
            return Optional.empty();
        }
        String first = spec.substring(0, dash);
        String last = spec.substring(dash + 1);
        if (first.isEmpty()) {
            return suffix(rangeHeader, digits(last), size);
        }
        long firstPos = digits(first);
        long lastPos = last.isEmpty() ? Long.MAX_VALUE : digits(last);
        if (firstPos < 0 || lastPos < 0) {
            return Optional.empty(); // a syntax error (RFC 9110 §14.1.2)
        }
        if (lastPos < firstPos || firstPos >= size) {
            // last-pos before first-pos is invalid and may be rejected (RFC 9110 §14.2): 416, as
            // the distribution registry (Go's ServeContent) answers, not the whole blob.
            throw new NotSatisfiableException(rangeHeader, size);
        }
        return Optional.of(new ByteRange(firstPos, Math.min(lastPos, size - 1)));
    }

    public long length() {
        return end - start + 1;
    }

    /** The {@code Content-Range} value for this range of a {@code size}-byte representation. */
    public String contentRange(long size) {
        if (end >= size) {
            throw new IllegalArgumentException("range " + start + "-" + end + " is outside " + size + " bytes");
        }
        return "bytes " + start + "-" + end + "/" + size;
    }

    /** The last {@code suffixLength} bytes; the whole representation if it is shorter. */
    private static Optional<ByteRange> suffix(String rangeHeader, long suffixLength, long size) {
        if (suffixLength < 0) {
            return Optional.empty();
        }
        if (suffixLength == 0 || size == 0) {
            throw new NotSatisfiableException(rangeHeader, size);
        }
        return Optional.of(new ByteRange(Math.max(0, size - suffixLength), size - 1));
    }

    /** The value of 1 to 18 ASCII digits, or -1 for anything else. */
    private static long digits(String s) {
        if (s.isEmpty() || s.length() > MAX_DIGITS) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(s);
    }

    /** The answer is 416 with {@code Content-Range: bytes *}{@code /size} (RFC 9110 §15.5.17). */
    public static final class NotSatisfiableException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final long size;

        public NotSatisfiableException(String rangeHeader, long size) {
            super("range " + Excerpt.quote(rangeHeader) + " not satisfiable for " + size + " bytes");
            this.size = size;
        }

        /** The size of the representation the range missed. */
        public long size() {
            return size;
        }

        /** {@code bytes *}{@code /size}, the Content-Range of the 416 response. */
        public String contentRange() {
            return "bytes */" + size;
        }
    }
}
