package io.dockercache.common;

import java.util.Objects;

/**
 * A failure with a registry error code, turned into the JSON error envelope in one place. The
 * message names the action and its identifiers, e.g. "pull blob sha256:... of library/nginx
 * from registry-1.docker.io"; {@link #detail()} is the envelope's optional {@code "detail"}.
 */
public class RegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String detail;

    public RegistryException(ErrorCode code, String message) {
        this(code, message, (String) null);
    }

    public RegistryException(ErrorCode code, String message, String detail) {
        super(messageOrDefault(code, message));
        this.code = code;
        this.detail = detail;
    }

    public RegistryException(ErrorCode code, String message, Throwable cause) {
        super(messageOrDefault(code, message), cause);
        this.code = code;
        this.detail = null;
    }

    public ErrorCode code() {
        return code;
    }

    /** Extra information for the client, or {@code null}. */
    public String detail() {
        return detail;
    }

    private static String messageOrDefault(ErrorCode code, String message) {
        Objects.requireNonNull(code, "code");
        return message != null ? message : code.message();
    }
}
