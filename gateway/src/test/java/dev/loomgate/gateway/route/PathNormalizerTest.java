package dev.loomgate.gateway.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PathNormalizerTest {
    private static final PathNormalizer MERGE = PathNormalizer.create(true);
    private static final PathNormalizer KEEP = PathNormalizer.create(false);

    private static String ok(PathNormalizer n, String raw) {
        return assertInstanceOf(PathNormalizer.Normalized.class, n.normalize(raw), raw).path();
    }

    private static String rejected(PathNormalizer n, String raw) {
        return assertInstanceOf(PathNormalizer.Rejected.class, n.normalize(raw), raw).reason();
    }

    @Test
    void plainPathsPassUnchangedWithoutCopying() {
        String p = "/api/users/123";
        assertSame(p, ok(MERGE, p));
        assertEquals("/", ok(MERGE, "/"));
        assertEquals("/a/b/", ok(MERGE, "/a/b/"));
        assertEquals("/a:b@c/!$&'()*+,;=-._~", ok(MERGE, "/a:b@c/!$&'()*+,;=-._~"));
        assertEquals("/.well-known/x", ok(MERGE, "/.well-known/x"));
        assertEquals("/a/..b/c.", ok(MERGE, "/a/..b/c."));
    }

    @Test
    void rejectsBytesOutsidePchar() {
        for (String bad : new String[] {"/a b", "/a\"b", "/a<b>", "/a\\b", "/a^b", "/a`b", "/a{b}", "/a|b",
                "/a[b]", "/a#b", "/a?b", "/a\u0000b", "/a\tb", "/a\u007fb", "/j\u00fcrgen", "/a\rb"}) {
            assertTrue(rejected(MERGE, bad).contains("RFC 3986"), bad);
        }
        assertTrue(rejected(MERGE, "a/b").contains("start with '/'"));
        assertTrue(rejected(MERGE, "").contains("start with '/'"));
        assertTrue(rejected(MERGE, "*").contains("start with '/'"));
    }

    @Test
    void rejectsMalformedPercentEncoding() {
        for (String bad : new String[] {"/%zz", "/%4", "/a%", "/a%g1/b", "/%%41", "/%4/x"}) {
            assertTrue(rejected(MERGE, bad).contains("percent-encoding"), bad);
        }
    }

    @Test
    void decodesUnreservedAndUppercasesTheRest() {
        assertEquals("/A~-._z0", ok(MERGE, "/%41%7E%2d%2E%5f%7a%30"));
        assertEquals("/a%2Fb", ok(MERGE, "/a%2fb"), "an encoded slash stays encoded: never a separator");
        assertEquals("/a%2Fb", ok(MERGE, "/a%2Fb"));
        assertEquals("/j%C3%BCrgen", ok(MERGE, "/j%c3%bcrgen"));
        assertEquals("/a%20b%25", ok(MERGE, "/a%20b%25"));
        assertEquals("/%3F%23", ok(MERGE, "/%3f%23"));
    }

    @Test
    void removesDotSegmentsAfterDecodingDots() {
        assertEquals("/x", ok(MERGE, "/api/../x"));
        assertEquals("/x", ok(MERGE, "/api/%2e%2e/x"));
        assertEquals("/x", ok(MERGE, "/api/%2E./x"));
        assertEquals("/x", ok(MERGE, "/api/.%2e/x"));
        assertEquals("/a/c", ok(MERGE, "/a/./b/../c"));
        assertEquals("/a/c", ok(MERGE, "/a/%2e/c"));
        assertEquals("/users/", ok(MERGE, "/users/1/.."));
        assertEquals("/users/", ok(MERGE, "/users/."));
        assertEquals("/", ok(MERGE, "/."));
        assertEquals("/", ok(MERGE, "/a/.."));
        assertEquals("/a/...", ok(MERGE, "/a/..."), "three dots are a name");
        assertEquals("/a/.%2F", ok(MERGE, "/a/%2e%2f"), "'.' + encoded '/' is not a dot segment");
        assertEquals("/a/..%2F/b", ok(MERGE, "/a/..%2f/b"));
    }

    @Test
    void climbingAboveRootIsRejected() {
        for (String bad : new String[] {"/..", "/../x", "/a/../..", "/a/../../b", "/%2e%2e/etc/passwd", "/./../x"}) {
            assertTrue(rejected(MERGE, bad).contains("above the root"), bad);
            assertTrue(rejected(KEEP, bad).contains("above the root"), bad);
        }
    }

    @Test
    void mergesSlashesWhenAsked() {
        assertEquals("/a/b", ok(MERGE, "//a///b"));
        assertEquals("/a/b/", ok(MERGE, "/a//b//"));
        assertEquals("/b", ok(MERGE, "/a//../b"), "merge first: '..' removes 'a'");
        assertEquals("/", ok(MERGE, "//"));
        assertEquals("//a///b", ok(KEEP, "//a///b"));
        assertEquals("/a/b", ok(KEEP, "/a//../b"), "RFC 3986: '..' removes the empty segment");
        assertEquals("/a//", ok(KEEP, "/a//."));
    }

    @Test
    void emptyResultIsRoot() {
        assertEquals("/", ok(KEEP, "/a/.."));
        assertEquals("/", ok(KEEP, "/%2e"));
    }
}
