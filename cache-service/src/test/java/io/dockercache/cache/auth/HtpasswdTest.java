package io.dockercache.cache.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HtpasswdTest {

  /** What {@code htpasswd -B -b -C 5 f alice s3cret} writes. */
  private static final String ALICE = bcrypt("s3cret", 5).replace("$2a$", "$2y$");

  @Test
  void parse_bcryptEntries_areUsers() {
    List<String> warnings = new ArrayList<>();
    Htpasswd h = Htpasswd.parse("# users\nalice:" + ALICE + "\n\nbob:" + bcrypt("x", 6) + "\n",
        warnings::add);

    assertEquals(2, h.size());
    assertTrue(h.hashOf("alice").isPresent());
    assertFalse(h.hashOf("carol").isPresent());
    assertEquals(6, h.maxCost());
    assertEquals(List.of(), warnings);
  }

  @Test
  void parse_nonBcryptEntries_areIgnoredWithWarningsNamingLineAndUserNotHash() {
    List<String> warnings = new ArrayList<>();
    Htpasswd h = Htpasswd.parse("alice:" + ALICE + "\nbob:$apr1$ir575Pa7$uSECRETHASH\ncarol:{SHA}SECRET=\n",
        warnings::add);

    assertEquals(1, h.size());
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("line 2") && warnings.get(0).contains("\"bob\""), warnings.get(0));
    assertTrue(warnings.get(1).contains("line 3") && warnings.get(1).contains("\"carol\""), warnings.get(1));
    assertFalse(warnings.toString().contains("SECRET"), "a warning must never show a hash");
  }

  @Test
  void parse_duplicateUser_laterWinsWithWarning() {
    List<String> warnings = new ArrayList<>();
    String second = bcrypt("other", 4);
    Htpasswd h = Htpasswd.parse("alice:" + ALICE + "\nalice:" + second + "\n", warnings::add);

    assertEquals(second, new String(h.hashOf("alice").orElseThrow(), StandardCharsets.US_ASCII));
    assertEquals(1, warnings.size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"alice", ":" + "x", "alice:", "no colon at all"})
  void parse_malformedLine_throwsNamingTheLine(String bad) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Htpasswd.parse("alice:" + ALICE + "\n" + bad + "\n", w -> {}));

    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"$2y$05$short", "$2x$05$abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz1", "$1$abc",
      "$2y$a5$abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz1"})
  void isBcrypt_otherFormats_false(String hash) {
    assertFalse(Htpasswd.isBcrypt(hash));
  }

  @Test
  void isBcrypt_allThreeVersions_true() {
    String hash = bcrypt("pw", 4);
    for (String version : List.of("$2a$", "$2b$", "$2y$")) {
      assertTrue(Htpasswd.isBcrypt(version + hash.substring(4)), version);
    }
  }

  static String bcrypt(String password, int cost) {
    return new String(BCrypt.withDefaults().hash(cost, password.getBytes(StandardCharsets.UTF_8)),
        StandardCharsets.US_ASCII);
  }
}
