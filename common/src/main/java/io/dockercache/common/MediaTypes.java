package io.dockercache.common;

import java.util.List;
import java.util.Objects;

/**
 * Manifest media types a Docker Hub cache serves, and the {@code Accept} negotiation for them.
 */
public final class MediaTypes {

    public static final String DOCKER_MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public static final String DOCKER_MANIFEST_V1 = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    /** What we ask upstream for: the modern types first, schema1 last for very old images. */
    public static final List<String> MANIFEST_TYPES = List.of(
            DOCKER_MANIFEST_V2, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_V1_SIGNED);

    private static final String ACCEPT_HEADER = String.join(", ", MANIFEST_TYPES);

    private MediaTypes() {
    }

    /** Whether {@code mediaType} is a multi-platform index (Docker manifest list or OCI index). */
    public static boolean isIndex(String mediaType) {
        if (mediaType == null) {
            return false;
        }
        String essence = essence(mediaType, 0, mediaType.length());
        return essence.equalsIgnoreCase(DOCKER_MANIFEST_LIST) || essence.equalsIgnoreCase(OCI_INDEX);
    }

    /** {@link #MANIFEST_TYPES} as one {@code Accept} header value. */
    public static String acceptHeader() {
        return ACCEPT_HEADER;
    }

    /**
     * Whether a client sending {@code acceptHeader} takes {@code mediaType} (RFC 9110 §12.5.1).
     * No header, a blank one, {@code *}{@code /*} or {@code type/*} accept anything of that type.
     * Parameters, {@code q} included, are ignored; several Accept headers are expected joined
     * with {@code ", "} by the caller, which the list syntax makes equivalent (RFC 9110 §5.3).
     */
    public static boolean accepts(String acceptHeader, String mediaType) {
        Objects.requireNonNull(mediaType, "mediaType");
        if (acceptHeader == null || acceptHeader.isBlank()) {
            return true;
        }
        String wanted = essence(mediaType, 0, mediaType.length());
        int slash = wanted.indexOf('/');
        String wantedTypeRange = slash < 0 ? null : wanted.substring(0, slash + 1) + "*";
        int from = 0;
        while (true) {
            int comma = acceptHeader.indexOf(',', from);
            int end = comma < 0 ? acceptHeader.length() : comma;
            String range = essence(acceptHeader, from, end);
            if (range.equals("*/*") || range.equalsIgnoreCase(wanted)
                    || (wantedTypeRange != null && range.equalsIgnoreCase(wantedTypeRange))) {
                return true;
            }
            if (comma < 0) {
                return false;
            }
            from = comma + 1;
        }
    }

    /** {@code type/subtype} of {@code s[from, end)}, without parameters or surrounding whitespace. */
    private static String essence(String s, int from, int end) {
        for (int i = from; i < end; i++) {
            if (s.charAt(i) == ';') {
                end = i;
                break;
            }
        }
        return s.substring(from, end).strip();
    }
}
