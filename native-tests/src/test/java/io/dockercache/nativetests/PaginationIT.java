package io.dockercache.nativetests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Paginated lists (matrix C4, CVE-2023-2253): {@code _catalog} over thousands of stored
 * repositories and {@code tags/list} over hundreds of tags, walked page by page through their
 * {@code Link: <...>; rel="next"} headers with a 64 MiB heap; abusive {@code n} and {@code last}
 * values are capped or refused, never a 5xx.
 */
@ExtendWith(PrintLogsOnFailure.class)
class PaginationIT {

    private static final int REPOSITORIES = 3000;
    private static final int TAGS = 300;
    private static final Closer closer = new Closer();
    private static FaultProxy upstreamProxy;
    private static CacheProcess cache;
    private static RegistryClient client;
    private static List<String> tags;

    @BeforeAll
    static void start() {
        UpstreamRegistry registry = closer.register(UpstreamRegistry.start());
        RegistryClient upstream = new RegistryClient(registry.url());
        Image image = SyntheticImage.push(upstream, "paged/tags", "t000", TestImages.randomFile("paged", 1024, 141));
        tags = new ArrayList<>();
        for (int i = 0; i < TAGS; i++) {
            tags.add(String.format("t%03d", i));
            upstream.pushManifest("paged/tags", tags.get(i), image.mediaType(), image.manifestBytes());
        }
        tags.sort(null);
        upstreamProxy = closer.register(FaultProxy.start(registry.url()));
        Path root = WorkDir.create("paged-root");
        closer.register(() -> WorkDir.deleteTree(root));
        StoredImages.write(root, "cat", REPOSITORIES, 16, 142);
        cache = closer.register(CacheProcess.of(upstreamProxy.url()).root(root).maxHeap("64m")
                .jvmArgs("-XX:+ExitOnOutOfMemoryError").start());
        client = new RegistryClient(cache.url());
    }

    @AfterAll
    static void stop() {
        closer.close();
    }

    @Test
    void catalog_walkedByLinkHeaders_everyRepositoryOnceInOrder_pagesAtMostN() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < REPOSITORIES; i++) {
            expected.add("cat/" + i);
        }
        expected.sort(null);

        List<String> seen = walk("/v2/_catalog?n=100", 100, r -> r.json().getJsonArray("repositories"));

        // Repositories the other tests pulled are listed too, in their place.
        assertEquals(expected, seen.stream().filter(r -> r.startsWith("cat/")).toList());
        List<String> sorted = new ArrayList<>(new java.util.TreeSet<>(seen));
        assertEquals(sorted, seen, "every repository once, in order");
    }

    @Test
    void tagList_walkedByLinkHeaders_everyTagOnceInOrder_pagesAtMostN() {
        List<String> seen = walk("/v2/paged/tags/tags/list?n=50", 50, r -> r.json().getJsonArray("tags"));

        assertEquals(tags, seen);
    }

    @Test
    void tagList_lastWithinALargeN_onlyTheTagsAfterIt_noLink() {
        RegistryResponse tail = client.get("/v2/paged/tags/tags/list?n=1000&last=t289");

        assertEquals(200, tail.status(), tail::describe);
        assertEquals(tags.subList(290, TAGS), tail.json().getJsonArray("tags").getList(), tail::describe);
        assertNull(tail.header("Link"), tail::describe);
    }

    @Test
    void tagList_upstreamDown_localTagsPaginatedTheSameWay() {
        for (int i = 0; i < 25; i++) {
            assertEquals(200, client.manifest("paged/tags", tags.get(i)).status());
        }
        upstreamProxy.stop();
        try {
            List<String> seen = walk("/v2/paged/tags/tags/list?n=10", 10, r -> r.json().getJsonArray("tags"));

            assertEquals(tags.subList(0, 25), seen);
        } finally {
            upstreamProxy.resume();
        }
    }

    @Test
    void tagList_unknownRepository_is404NameUnknown_butAnOutageIsNoNotFound() {
        RegistryResponse unknown = client.get("/v2/paged/nothing/tags/list?n=10");
        ImageAssertions.assertRegistryError(unknown, 404, "NAME_UNKNOWN");

        upstreamProxy.stop();
        try {
            // Nothing cached for it and the upstream unreachable: 503, never "not found" (C1, F1).
            RegistryResponse down = client.get("/v2/paged/nothing/tags/list?n=10");
            ImageAssertions.assertRegistryError(down, 503, "UNAVAILABLE");
        } finally {
            upstreamProxy.resume();
        }
    }

    @Test
    void abusiveN_cappedOrRefused_neverA5xx() {
        RegistryResponse huge = client.get("/v2/_catalog?n=2147483647");
        assertEquals(200, huge.status(), huge::describe);
        assertEquals(1000, huge.json().getJsonArray("repositories").size(), "capped at 1000");
        assertTrue(huge.header("Link").contains("rel=\"next\""), huge::describe);

        for (String query : new String[] {"n=-1", "n=0", "n=abc", "n=99999999999999999999"}) {
            for (String path : new String[] {"/v2/_catalog?", "/v2/paged/tags/tags/list?"}) {
                RegistryResponse answer = client.get(path + query);
                assertTrue(answer.status() < 500, answer::describe);
                if (answer.status() == 200) {
                    JsonArray entries = answer.json().getJsonArray(path.contains("_catalog") ? "repositories" : "tags");
                    assertTrue(entries.size() <= 1000, answer::describe);
                } else {
                    ImageAssertions.assertErrorEnvelope(answer);
                }
            }
        }
        assertTrue(cache.isAlive(), "the cache survived");
    }

    @Test
    void hugeLast_cappedOrRefused_neverA5xx_lastPastTheEnd_emptyWithoutLink() {
        String big = "z".repeat(3000);
        for (String path : new String[] {"/v2/_catalog?n=10&last=", "/v2/paged/tags/tags/list?n=10&last="}) {
            RegistryResponse answer = client.get(path + big);
            assertTrue(answer.status() < 500, answer::describe);
            if (answer.status() == 200) {
                assertEquals(0, answer.json().getJsonArray(path.contains("_catalog") ? "repositories" : "tags").size(),
                        answer::describe);
            }
        }
        RegistryResponse end = client.get("/v2/_catalog?n=10&last=zzz");
        assertEquals(200, end.status(), end::describe);
        assertEquals(0, end.json().getJsonArray("repositories").size(), end::describe);
        assertNull(end.header("Link"), end::describe);
    }

    /**
     * Follows {@code Link: <next>; rel="next"} from {@code first} to the end; asserts each page holds
     * at most {@code n} entries and that only the last page has no Link. Returns every entry in order.
     */
    private static List<String> walk(String first, int n, Function<RegistryResponse, JsonArray> entries) {
        List<String> seen = new ArrayList<>();
        String next = first;
        int pages = 0;
        while (next != null) {
            RegistryResponse page = client.get(next);
            assertEquals(200, page.status(), page::describe);
            JsonArray shown = entries.apply(page);
            assertTrue(shown.size() <= n, () -> "a page of " + shown.size() + " entries for n=" + n + ": "
                    + page.describe());
            shown.forEach(e -> seen.add((String) e));
            String link = page.header("Link");
            next = link == null ? null : linkTarget(link);
            assertTrue(++pages <= 1000, "more pages than entries");
        }
        return seen;
    }

    /** {@code </v2/...?n=..&last=..>; rel="next"} (RFC 5988, as distribution sends it) → the path. */
    private static String linkTarget(String link) {
        assertTrue(link.startsWith("<") && link.contains(">") && link.endsWith("; rel=\"next\""),
                () -> "not an RFC 5988 next link: " + link);
        String target = link.substring(1, link.indexOf('>'));
        assertTrue(target.startsWith("/v2/"), () -> "not a path on this registry: " + link);
        return target;
    }
}
