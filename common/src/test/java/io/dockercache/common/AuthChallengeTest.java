package io.dockercache.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AuthChallengeTest {

    /** Verbatim from registry-1.docker.io/v2/library/alpine/manifests/latest without a token. */
    private static final String DOCKER_HUB = "Bearer realm=\"https://auth.docker.io/token\","
            + "service=\"registry.docker.io\",scope=\"repository:library/alpine:pull\"";

    @Test
    void parse_dockerHubChallenge_readsAllParams() {
        List<AuthChallenge> challenges = AuthChallenge.parse(DOCKER_HUB);

        assertEquals(1, challenges.size());
        AuthChallenge challenge = challenges.get(0);
        assertTrue(challenge.isBearer());
        assertFalse(challenge.isBasic());
        assertEquals("Bearer", challenge.scheme());
        assertEquals("https://auth.docker.io/token", challenge.realm());
        assertEquals("registry.docker.io", challenge.service());
        assertEquals("repository:library/alpine:pull", challenge.scope());
    }

    @Test
    void toString_dockerHubChallenge_rendersItBack() {
        assertEquals(DOCKER_HUB, AuthChallenge.parse(DOCKER_HUB).get(0).toString());
    }

    @Test
    void parse_multipleChallenges_splitsAtSchemes() {
        List<AuthChallenge> challenges = AuthChallenge.parse("Basic realm=\"x\", Bearer realm=\"y\",service=\"z\"");

        assertEquals(2, challenges.size());
        assertTrue(challenges.get(0).isBasic());
        assertEquals(Map.of("realm", "x"), challenges.get(0).params());
        assertTrue(challenges.get(1).isBearer());
        assertEquals(Map.of("realm", "y", "service", "z"), challenges.get(1).params());
    }

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("Bearer realm=\"a\\\"b\\\\c\"", "Bearer", Map.of("realm", "a\"b\\c")),
                Arguments.of("Bearer realm=\"\\x\"", "Bearer", Map.of("realm", "x")),
                Arguments.of("Bearer realm=\"\"", "Bearer", Map.of("realm", "")),
                Arguments.of("Bearer realm=\"a, b=c\"", "Bearer", Map.of("realm", "a, b=c")),
                Arguments.of("Bearer realm=token68ish,error=invalid_token", "Bearer",
                        Map.of("realm", "token68ish", "error", "invalid_token")),
                Arguments.of("bearer REALM=\"x\"", "bearer", Map.of("realm", "x")),
                Arguments.of("Bearer realm = \"x\" ,\tservice=y", "Bearer", Map.of("realm", "x", "service", "y")),
                Arguments.of("  ,Bearer realm=\"x\",,  , service=\"y\",  ", "Bearer",
                        Map.of("realm", "x", "service", "y")),
                Arguments.of("Negotiate", "Negotiate", Map.of()),
                Arguments.of("Bearer realm=\"caf\u00e9\"", "Bearer", Map.of("realm", "caf\u00e9")));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parse_valid_singleChallenge(String header, String scheme, Map<String, String> params) {
        List<AuthChallenge> challenges = AuthChallenge.parse(header);

        assertEquals(List.of(new AuthChallenge(scheme, params)), challenges);
    }

    @Test
    void parse_schemesWithoutParams_areSeparateChallenges() {
        List<AuthChallenge> challenges = AuthChallenge.parse("Negotiate, NTLM, Basic realm=\"r\"");

        assertEquals(List.of("Negotiate", "NTLM", "Basic"), challenges.stream().map(AuthChallenge::scheme).toList());
        assertEquals("r", challenges.get(2).realm());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "BEARER", "bearer"})
    void isBearer_caseInsensitive(String scheme) {
        assertTrue(AuthChallenge.parse(scheme + " realm=\"x\"").get(0).isBearer());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic", "BASIC", "basic"})
    void isBasic_caseInsensitive(String scheme) {
        assertTrue(AuthChallenge.parse(scheme + " realm=\"x\"").get(0).isBasic());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "   ",
        ",,",
        "realm=\"x\"",                                 // parameter without a scheme
        "Bearer realm=\"unterminated",
        "Bearer realm=\"ends in backslash\\",
        "Bearer realm=",
        "Bearer realm=,service=\"x\"",
        "Bearer realm==x",
        "Bearer =x",
        "Bearer realm=\"x\" service=\"y\"",            // missing comma
        "Bearer realm=\"x\"service=\"y\"",
        "Bearer realm=\"x\",realm=\"y\"",              // duplicate, RFC 7235 §2.1
        "Bearer realm=\"x\",REALM=\"y\"",
        "Basic abc==",                                 // token68
        "Negotiate abc",                               // token68, or a scheme missing its comma
        "Bearer realm=\"a\u0000b\"",
        "Bearer realm=\"a\r\nb\"",
        "Bearer realm=x y",
        "\"Bearer\" realm=x",
        "Bearer realm=x;",
        "Bearer realm=\u00e9",
    })
    void parse_malformed_throws(String header) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AuthChallenge.parse(header));

        assertTrue(e.getMessage().contains("WWW-Authenticate"), e.getMessage());
    }

    @Test
    void parse_null_throws() {
        assertThrows(IllegalArgumentException.class, () -> AuthChallenge.parse(null));
    }

    @Test
    void parse_atMaxLength_parses() {
        String prefix = "Bearer realm=\"";
        String realm = "r".repeat(AuthChallenge.MAX_HEADER_LENGTH - prefix.length() - 1);

        assertEquals(realm, AuthChallenge.parse(prefix + realm + "\"").get(0).realm());
    }

    @Test
    void parse_overMaxLength_throwsBeforeParsing() {
        String header = "Bearer realm=\"" + "r".repeat(AuthChallenge.MAX_HEADER_LENGTH) + "\"";

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AuthChallenge.parse(header));

        assertTrue(e.getMessage().contains("longer than 8192"), e.getMessage());
        assertTrue(e.getMessage().length() < 300, "message is bounded");
    }

    @Test
    void accessors_absentParams_areNull() {
        AuthChallenge challenge = AuthChallenge.parse("Basic realm=\"x\"").get(0);

        assertNull(challenge.service());
        assertNull(challenge.scope());
        assertNull(AuthChallenge.parse("Negotiate").get(0).realm());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Bearer realm=\"a\\\"b\\\\c\",service=\"s\"",
        "Basic realm=\"x\"",
        "Negotiate",
    })
    void toString_roundTrips(String header) {
        AuthChallenge challenge = AuthChallenge.parse(header).get(0);

        assertEquals(header, challenge.toString());
        assertEquals(List.of(challenge), AuthChallenge.parse(challenge.toString()));
    }

    @Test
    void toString_tokenValues_areQuoted() {
        assertEquals("Bearer realm=\"x\",error=\"invalid_token\"",
                AuthChallenge.parse("Bearer realm=x, error=invalid_token").get(0).toString());
    }

    @Test
    void constructor_lowercasesNamesAndKeepsOrder() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("Service", "s");
        params.put("Realm", "r");

        AuthChallenge challenge = new AuthChallenge("Bearer", params);

        assertEquals(List.of("service", "realm"), List.copyOf(challenge.params().keySet()));
        assertEquals("r", challenge.realm());
    }

    @Test
    void constructor_copiesParams() {
        Map<String, String> params = new LinkedHashMap<>(Map.of("realm", "r"));
        AuthChallenge challenge = new AuthChallenge("Bearer", params);

        params.put("realm", "changed");

        assertEquals("r", challenge.realm());
        assertThrows(UnsupportedOperationException.class, () -> challenge.params().put("scope", "x"));
    }

    @Test
    void constructor_headerInjection_throws() {
        assertThrows(IllegalArgumentException.class, () -> new AuthChallenge("Bearer", Map.of("realm", "x\r\nSet-Cookie: a")));
        assertThrows(IllegalArgumentException.class, () -> new AuthChallenge("Bearer realm", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new AuthChallenge("Bearer", Map.of("re alm", "x")));
        assertThrows(IllegalArgumentException.class, () -> new AuthChallenge(null, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new AuthChallenge("Bearer", null));
    }
}
