package io.dockercache.common;

/**
 * Untrusted input quoted for an exception message: bounded in length, so a 100,000-character
 * name does not end up in a log line, and with control characters replaced, so a header value
 * cannot forge a log line or a response.
 */
final class Excerpt {

    static final int MAX_CHARS = 80;

    private Excerpt() {
    }

    /** {@code 'value'}, or {@code 'first 80 chars...' (N chars)} when longer; {@code null} as is. */
    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        int shown = Math.min(value.length(), MAX_CHARS);
        if (shown < value.length() && Character.isHighSurrogate(value.charAt(shown - 1))) {
            shown--; // do not cut a surrogate pair in half
        }
        StringBuilder out = new StringBuilder(shown + 24).append('\'');
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        out.append('\'');
        if (shown < value.length()) {
            out.append("... (").append(value.length()).append(" chars)");
        }
        return out.toString();
    }
}
