package io.dockercache.nativetests;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;

/**
 * A body streamed into SHA-256, never held in memory: what arrived, and how the transfer ended.
 *
 * @param failure the I/O error that ended the transfer (reset, premature end), null if it ended cleanly
 * @param errorCode the registry error code of an error answer's JSON envelope, null when there is none
 */
record Download(String uri, int status, HttpHeaders headers, long bytes, String digest, IOException failure,
        String errorCode) {

    Download(String uri, int status, HttpHeaders headers, long bytes, String digest, IOException failure) {
        this(uri, status, headers, bytes, digest, failure, null);
    }

    String header(String name) {
        return headers == null ? null : headers.firstValue(name).orElse(null);
    }

    /** A clean 200 whose bytes hash to {@code expectedDigest} and number {@code expectedSize}. */
    boolean isComplete(String expectedDigest, long expectedSize) {
        return status == 200 && failure == null && bytes == expectedSize && expectedDigest.equals(digest);
    }

    /** The transfer did not end (cleanly or not) within the bound it was given. */
    boolean timedOut() {
        return failure instanceof HttpTimeoutException;
    }

    @Override
    public String toString() {
        return "GET " + uri + " -> " + status + (errorCode == null ? "" : " " + errorCode) + ", " + bytes + " bytes, "
                + digest + (failure == null ? ", ended cleanly" : ", failed: " + failure);
    }
}
