package io.dockercache.common;

/**
 * Registry API v2 error codes: the OCI distribution spec table (spec.md, "Error Codes"), the
 * two schema1 codes distribution still sends (MANIFEST_UNVERIFIED, TAG_INVALID), and
 * distribution's UNAVAILABLE and UNKNOWN (registry/api/errcode). Each carries what the JSON
 * error envelope and the response status need; the wire value is the constant's name.
 */
public enum ErrorCode {
    BLOB_UNKNOWN(404, "blob unknown to registry"),
    BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
    BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
    DIGEST_INVALID(400, "provided digest did not match uploaded content"),
    MANIFEST_BLOB_UNKNOWN(404, "manifest references a manifest or blob unknown to registry"),
    MANIFEST_INVALID(400, "manifest invalid"),
    MANIFEST_UNKNOWN(404, "manifest unknown"),
    MANIFEST_UNVERIFIED(400, "manifest failed signature verification"),
    NAME_INVALID(400, "invalid repository name"),
    NAME_UNKNOWN(404, "repository name not known to registry"),
    SIZE_INVALID(400, "provided length did not match content length"),
    TAG_INVALID(400, "manifest tag did not match URI"),
    UNAUTHORIZED(401, "authentication required"),
    DENIED(403, "requested access to the resource is denied"),
    UNSUPPORTED(405, "the operation is unsupported"),
    TOOMANYREQUESTS(429, "too many requests"),
    UNAVAILABLE(503, "service unavailable"),
    UNKNOWN(500, "unknown error");

    private final int httpStatus;
    private final String message;

    ErrorCode(int httpStatus, String message) {
        this.httpStatus = httpStatus;
        this.message = message;
    }

    /** The value of {@code "code"} in the error envelope. */
    public String code() {
        return name();
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The default {@code "message"} in the error envelope. */
    public String message() {
        return message;
    }
}
