package io.dockercache.nativetests;

import java.io.IOException;
import java.net.http.HttpHeaders;

/**
 * A body streamed into SHA-256, never held in memory: what arrived, and how the transfer ended.
 *
 * @param failure the I/O error that ended the transfer (reset, premature end), null if it ended cleanly
 */
record Download(String uri, int status, HttpHeaders headers, long bytes, String digest, IOException failure) {

    String header(String name) {
        return headers == null ? null : headers.firstValue(name).orElse(null);
    }

    /** A clean 200 whose bytes hash to {@code expectedDigest} and number {@code expectedSize}. */
    boolean isComplete(String expectedDigest, long expectedSize) {
        return status == 200 && failure == null && bytes == expectedSize && expectedDigest.equals(digest);
    }

    @Override
    public String toString() {
        return "GET " + uri + " -> " + status + ", " + bytes + " bytes, " + digest
                + (failure == null ? ", ended cleanly" : ", failed: " + failure);
    }
}
