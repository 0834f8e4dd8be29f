package io.dockercache.cache.pullthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dockercache.common.ErrorCode;
import io.dockercache.common.RegistryException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PageTest {

  @ParameterizedTest
  @CsvSource(nullValues = "null", value = {
      "null, null, null, ''",
      "'', null, null, ''",
      "n=10, 10, null, ?n=10",
      "n=10&last=v1, 10, v1, ?n=10&last=v1",
      "last=a%2Fb&other=x, null, a/b, ?last=a%2Fb",
      "n=-5, 0, null, ?n=0",
      "n=2147483647, 2147483647, null, ?n=2147483647",
      "last=, null, null, ''",
      "last=a+b, null, a b, ?last=a+b"
  })
  void parse_readsNAndLast_andRebuildsTheUpstreamQuery(String raw, Integer n, String last, String query) {
    Page page = Page.parse(raw);

    assertEquals(new Page(n, last), page);
    assertEquals(query, page.query());
  }

  @ParameterizedTest
  @ValueSource(strings = {"n=abc", "n=", "n=99999999999999999999", "n=%zz", "last=%zz", "%zz=1"})
  void parse_malformed_isRefusedAsTheClientsError(String raw) {
    RegistryException e = assertThrows(RegistryException.class, () -> Page.parse(raw));

    assertEquals(ErrorCode.UNSUPPORTED, e.code());
  }

  @org.junit.jupiter.api.Test
  void parse_lastLongerThanAnyName_isRefused() {
    RegistryException e = assertThrows(RegistryException.class,
        () -> Page.parse("last=" + "z".repeat(Page.MAX_LAST_CHARS + 1)));

    assertEquals(ErrorCode.UNSUPPORTED, e.code());
  }
}
