package io.dockercache.common;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header, e.g. Docker Hub's
 * {@code Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="..."}.
 * Parameter names are lower-case (they are case-insensitive, RFC 7235 §2.1); {@code toString()}
 * renders the challenge back with every value quoted.
 */
public record AuthChallenge(String scheme, Map<String, String> params) {

    /** Far above any real challenge; bounds the work a hostile upstream can cause. */
    static final int MAX_HEADER_LENGTH = 8 * 1024;

    public AuthChallenge {
        if (scheme == null || scheme.isEmpty() || !isToken(scheme)) {
            throw new IllegalArgumentException("invalid auth scheme " + Excerpt.quote(scheme));
        }
        if (params == null) {
            throw new IllegalArgumentException("params are required, may be empty");
        }
        Map<String, String> copy = new LinkedHashMap<>();
        for (Map.Entry<String, String> param : params.entrySet()) {
            String name = param.getKey();
            String value = param.getValue();
            if (name == null || name.isEmpty() || !isToken(name)) {
                throw new IllegalArgumentException("invalid auth parameter name " + Excerpt.quote(name));
            }
            if (value == null || !isQuotable(value)) {
                // A control character here would let toString() inject header lines.
                throw new IllegalArgumentException("invalid value for auth parameter " + name + ": "
                        + Excerpt.quote(value));
            }
            if (copy.put(name.toLowerCase(Locale.ROOT), value) != null) {
                throw new IllegalArgumentException("auth parameter " + name + " given twice");
            }
        }
        params = Collections.unmodifiableMap(copy);
    }

    /**
     * Parses a {@code WWW-Authenticate} value into its challenges (RFC 7235 §4.1):
     *
     * <pre>
     * WWW-Authenticate = 1#challenge
     * challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
     * auth-param       = token BWS "=" BWS ( token / quoted-string )
     * </pre>
     *
     * Challenges and parameters share the comma as separator, so a token not followed by
     * {@code =} starts the next challenge. token68 credentials are not supported (no registry
     * sends them) and are rejected as malformed, like everything else off the grammar.
     */
    public static List<AuthChallenge> parse(String wwwAuthenticate) {
        if (wwwAuthenticate == null) {
            throw new IllegalArgumentException("no WWW-Authenticate value");
        }
        if (wwwAuthenticate.length() > MAX_HEADER_LENGTH) {
            throw new IllegalArgumentException("WWW-Authenticate longer than " + MAX_HEADER_LENGTH
                    + " characters: " + Excerpt.quote(wwwAuthenticate));
        }
        return new Tokenizer(wwwAuthenticate).challenges();
    }

    public boolean isBearer() {
        return "Bearer".equalsIgnoreCase(scheme);
    }

    public boolean isBasic() {
        return "Basic".equalsIgnoreCase(scheme);
    }

    /** Where to ask for a token or credentials, or {@code null}. */
    public String realm() {
        return params.get("realm");
    }

    public String service() {
        return params.get("service");
    }

    public String scope() {
        return params.get("scope");
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(scheme);
        char separator = ' ';
        for (Map.Entry<String, String> param : params.entrySet()) {
            out.append(separator).append(param.getKey()).append("=\"");
            for (int i = 0; i < param.getValue().length(); i++) {
                char c = param.getValue().charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\');
                }
                out.append(c);
            }
            out.append('"');
            separator = ',';
        }
        return out.toString();
    }

    /** tchar, RFC 7230 §3.2.6. */
    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** HTAB, SP, VCHAR or obs-text: what a quoted-string can carry, escaped or not (RFC 7230 §3.2.6). */
    private static boolean isQuotableChar(char c) {
        return c == '\t' || (c >= ' ' && c != 0x7f);
    }

    private static boolean isQuotable(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isQuotableChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** One pass over the header; every branch consumes input or throws, so it is linear. */
    private static final class Tokenizer {

        private final String s;
        private int pos;

        Tokenizer(String s) {
            this.s = s;
        }

        List<AuthChallenge> challenges() {
            List<AuthChallenge> challenges = new ArrayList<>();
            String scheme = null;
            Map<String, String> params = new LinkedHashMap<>();
            boolean firstAfterScheme = false;
            while (true) {
                // Empty list elements are allowed around commas (RFC 7230 §7).
                boolean comma = skipSeparators();
                if (pos == s.length()) {
                    break;
                }
                if (scheme != null && !comma && !firstAfterScheme) {
                    throw malformed("expected ','");
                }
                int start = pos;
                String name = token();
                skipWhitespace();
                if (pos < s.length() && s.charAt(pos) == '=') {
                    if (scheme == null) {
                        throw malformed("auth parameter before any scheme", start);
                    }
                    pos++;
                    skipWhitespace();
                    String value = pos < s.length() && s.charAt(pos) == '"' ? quotedString() : token();
                    if (params.put(name.toLowerCase(Locale.ROOT), value) != null) {
                        throw malformed("auth parameter " + name + " given twice", start);
                    }
                    firstAfterScheme = false;
                } else {
                    if (scheme != null && !comma) {
                        throw malformed("token68 credentials are not supported", start);
                    }
                    if (scheme != null) {
                        challenges.add(new AuthChallenge(scheme, params));
                    }
                    scheme = name;
                    params = new LinkedHashMap<>();
                    firstAfterScheme = true;
                }
            }
            if (scheme == null) {
                throw malformed("no challenge");
            }
            challenges.add(new AuthChallenge(scheme, params));
            return List.copyOf(challenges);
        }

        /** Skips OWS and commas; returns whether a comma was among them. */
        private boolean skipSeparators() {
            boolean comma = false;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ',') {
                    comma = true;
                } else if (c != ' ' && c != '\t') {
                    break;
                }
                pos++;
            }
            return comma;
        }

        private void skipWhitespace() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
                pos++;
            }
        }

        private String token() {
            int start = pos;
            while (pos < s.length() && isTokenChar(s.charAt(pos))) {
                pos++;
            }
            if (pos == start) {
                throw malformed("expected a token");
            }
            return s.substring(start, pos);
        }

        /** quoted-string with quoted-pair escapes, RFC 7230 §3.2.6; pos is at the opening quote. */
        private String quotedString() {
            int start = pos++;
            StringBuilder value = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return value.toString();
                }
                if (c == '\\') {
                    if (pos == s.length()) {
                        break;
                    }
                    c = s.charAt(pos++);
                }
                if (!isQuotableChar(c)) {
                    throw malformed("control character in quoted string", pos - 1);
                }
                value.append(c);
            }
            throw malformed("unterminated quoted string", start);
        }

        private IllegalArgumentException malformed(String problem) {
            return malformed(problem, pos);
        }

        private IllegalArgumentException malformed(String problem, int at) {
            return new IllegalArgumentException("malformed WWW-Authenticate " + Excerpt.quote(s) + ": "
                    + problem + " at index " + at);
        }
    }
}
