package io.dockercache.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorCodeTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "BLOB_UNKNOWN          | 404 | blob unknown to registry",
        "BLOB_UPLOAD_INVALID   | 400 | blob upload invalid",
        "BLOB_UPLOAD_UNKNOWN   | 404 | blob upload unknown to registry",
        "DIGEST_INVALID        | 400 | provided digest did not match uploaded content",
        "MANIFEST_BLOB_UNKNOWN | 404 | manifest references a manifest or blob unknown to registry",
        "MANIFEST_INVALID      | 400 | manifest invalid",
        "MANIFEST_UNKNOWN      | 404 | manifest unknown",
        "MANIFEST_UNVERIFIED   | 400 | manifest failed signature verification",
        "NAME_INVALID          | 400 | invalid repository name",
        "NAME_UNKNOWN          | 404 | repository name not known to registry",
        "SIZE_INVALID          | 400 | provided length did not match content length",
        "TAG_INVALID           | 400 | manifest tag did not match URI",
        "UNAUTHORIZED          | 401 | authentication required",
        "DENIED                | 403 | requested access to the resource is denied",
        "UNSUPPORTED           | 405 | the operation is unsupported",
        "TOOMANYREQUESTS       | 429 | too many requests",
        "UNAVAILABLE           | 503 | service unavailable",
        "UNKNOWN               | 500 | unknown error",
    })
    void code_matchesSpecTable(String wire, int status, String message) {
        ErrorCode code = ErrorCode.valueOf(wire);

        assertEquals(wire, code.code());
        assertEquals(status, code.httpStatus());
        assertEquals(message, code.message());
    }

    @Test
    void values_areExactlyTheTable() {
        assertEquals(18, ErrorCode.values().length);
        assertEquals(18, Arrays.stream(ErrorCode.values()).map(ErrorCode::code).distinct().count());
    }
}
