package io.dockercache.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class RegistryExceptionTest {

    private static final String ACTION = "pull manifest latest of library/alpine from registry-1.docker.io";

    @Test
    void construct_codeAndMessage_noDetail() {
        RegistryException e = new RegistryException(ErrorCode.MANIFEST_UNKNOWN, ACTION);

        assertEquals(ErrorCode.MANIFEST_UNKNOWN, e.code());
        assertEquals(ACTION, e.getMessage());
        assertNull(e.detail());
        assertNull(e.getCause());
    }

    @Test
    void construct_withDetail_keepsDetail() {
        RegistryException e = new RegistryException(ErrorCode.NAME_INVALID, ACTION, "uppercase at index 8");

        assertEquals(ErrorCode.NAME_INVALID, e.code());
        assertEquals(ACTION, e.getMessage());
        assertEquals("uppercase at index 8", e.detail());
    }

    @Test
    void construct_withCause_keepsCause() {
        IOException cause = new IOException("connection reset");

        RegistryException e = new RegistryException(ErrorCode.UNAVAILABLE, ACTION, cause);

        assertSame(cause, e.getCause());
        assertEquals(ACTION, e.getMessage());
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertNull(e.detail());
    }

    @Test
    void construct_nullMessage_usesCodeMessage() {
        assertEquals("blob unknown to registry", new RegistryException(ErrorCode.BLOB_UNKNOWN, null).getMessage());
    }

    @Test
    void construct_nullCode_throws() {
        assertThrows(NullPointerException.class, () -> new RegistryException(null, ACTION));
        assertThrows(NullPointerException.class, () -> new RegistryException(null, ACTION, "detail"));
        assertThrows(NullPointerException.class, () -> new RegistryException(null, ACTION, new IOException()));
    }
}
