package dev.loomgate.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class CacheControlTest {
    @Test
    void readsEachDirective() {
        CacheControl c = CacheControl.parse("public, max-age=60, s-maxage=\"30\", stale-while-revalidate=5,"
                + " stale-if-error=600, must-revalidate");
        assertTrue(c.isPublic());
        assertTrue(c.mustRevalidate());
        assertEquals(OptionalLong.of(60), c.maxAge());
        assertEquals(OptionalLong.of(30), c.sMaxAge());
        assertEquals(OptionalLong.of(5), c.staleWhileRevalidate());
        assertEquals(OptionalLong.of(600), c.staleIfError());
        assertFalse(c.noStore());
    }

    @Test
    void caseAndSpacingDoNotMatterAndSeveralHeadersCombine() {
        CacheControl c = CacheControl.parse(List.of("  NO-STORE ", "Private=\"Set-Cookie, X\"", "No-Cache"));
        assertTrue(c.noStore());
        assertTrue(c.isPrivate());
        assertTrue(c.noCache());
    }

    @Test
    void garbageIsIgnoredOrStrict() {
        assertEquals(CacheControl.NONE, CacheControl.parse(",,,;;;=== \u0000\u00ff garbage=\"unterminated, x"));
        assertEquals(OptionalLong.of(0), CacheControl.parse("max-age=abc").maxAge(), "not a number: stale");
        assertEquals(OptionalLong.of(0), CacheControl.parse("max-age=-5").maxAge());
        assertEquals(OptionalLong.of(0), CacheControl.parse("max-age").maxAge());
        assertEquals(OptionalLong.of(CacheControl.MAX_DELTA),
                CacheControl.parse("max-age=99999999999999999999999999").maxAge(), "capped, no overflow");
        assertEquals(OptionalLong.of(10), CacheControl.parse("max-age=100, max-age=10").maxAge(),
                "conflicting duplicates: the shorter");
        assertEquals(OptionalLong.empty(), CacheControl.parse("x-max-age=5, foo=\"max-age=9\"").maxAge(),
                "quoted commas and look-alikes are not directives");
    }

    @Test
    void hostileSizesAreBounded() {
        String many = "x,".repeat(100_000) + "no-store";
        assertFalse(CacheControl.parse(many).noStore(), "directives past the limit are not read");
        String huge = "a".repeat(1_000_000);
        assertEquals(CacheControl.NONE, CacheControl.parse(List.of(huge, huge, "no-store")));
    }
}
