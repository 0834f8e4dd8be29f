package io.dockercache.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByteRangeTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // header                           | size | start | end
        "bytes=0-0                          | 10   | 0     | 0",
        "bytes=0-9                          | 10   | 0     | 9",
        "bytes=2-5                          | 10   | 2     | 5",
        "bytes=9-9                          | 10   | 9     | 9",
        "bytes=0-10                         | 10   | 0     | 9",
        "bytes=3-999999999999999999         | 10   | 3     | 9",
        "bytes=5-                           | 10   | 5     | 9",
        "bytes=0-                           | 10   | 0     | 9",
        "bytes=-3                           | 10   | 7     | 9",
        "bytes=-10                          | 10   | 0     | 9",
        "bytes=-100                         | 10   | 0     | 9",
        "bytes=-1                           | 1    | 0     | 0",
        "bytes=007-008                      | 10   | 7     | 8",
        "Bytes=1-2                          | 10   | 1     | 2",
        "BYTES=1-2                          | 10   | 1     | 2",
        "bytes=1000000000-1999999999        | 4000000000 | 1000000000 | 1999999999",
    })
    void parse_singleRange_isClampedToSize(String header, long size, long start, long end) {
        ByteRange range = ByteRange.parse(header, size).orElseThrow();

        assertEquals(new ByteRange(start, end), range);
        assertEquals(end - start + 1, range.length());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "NULL",
        "''",
        "bytes",
        "bytes=",
        "bytes=-",
        "bytes=--1",
        "bytes=a-b",
        "bytes=1-a",
        "bytes=0x1-2",
        "bytes=+1-2",
        "bytes=1-+2",
        "'bytes=1 -2'",
        "'bytes= 1-2'",
        "'bytes =1-2'",
        "bytes 1-2",
        "bytes=1-2-3",
        "bytes=1-2,4-5",
        "bytes=1-2,",
        "'bytes=0-1, 3-4'",
        "items=0-1",
        "bytes=0-9999999999999999999",
        "bytes=9999999999999999999-",
        "bytes=-9999999999999999999",
        "bytes=0-99999999999999999999999999999999999999",
    })
    void parse_noUsableSingleRange_isEmpty(String header) {
        assertEquals(Optional.empty(), ByteRange.parse(header, 10));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bytes=10-             | 10",
        "bytes=10-20           | 10",
        "bytes=100-200         | 10",
        "bytes=999999999999999999- | 10",
        "bytes=-0              | 10",
        "bytes=0-0             | 0",
        "bytes=0-              | 0",
        "bytes=-1              | 0",
        "bytes=5-2             | 10",
        "bytes=500-0           | 10",
        "bytes=1-0             | 10",
        "bytes=500-0           | 4096",
    })
    void parse_noByteWithinSize_throwsNotSatisfiable(String header, long size) {
        ByteRange.NotSatisfiableException e = assertThrows(ByteRange.NotSatisfiableException.class,
                () -> ByteRange.parse(header, size));

        assertEquals(size, e.size());
        assertEquals("bytes */" + size, e.contentRange());
        assertTrue(e.getMessage().contains(header), e.getMessage());
    }

    @Test
    void parse_negativeSize_throws() {
        assertThrows(IllegalArgumentException.class, () -> ByteRange.parse("bytes=0-1", -1));
    }

    @Test
    void contentRange_rendersRangeAndSize() {
        assertEquals("bytes 0-9/10", new ByteRange(0, 9).contentRange(10));
        assertEquals("bytes 7-9/10", ByteRange.parse("bytes=-3", 10).orElseThrow().contentRange(10));
    }

    @Test
    void contentRange_endOutsideSize_throws() {
        assertThrows(IllegalArgumentException.class, () -> new ByteRange(0, 10).contentRange(10));
    }

    @Test
    void constructor_invalid_throws() {
        assertThrows(IllegalArgumentException.class, () -> new ByteRange(-1, 5));
        assertThrows(IllegalArgumentException.class, () -> new ByteRange(5, 4));
    }

    @Test
    void length_isInclusive() {
        assertEquals(1, new ByteRange(4, 4).length());
        assertEquals(10, new ByteRange(0, 9).length());
    }
}
