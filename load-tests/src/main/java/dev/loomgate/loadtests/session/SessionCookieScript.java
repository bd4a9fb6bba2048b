package dev.loomgate.loadtests.session;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The wrk Lua script ({@code wrk -s}) that puts session cookies on the benchmark's requests. One cookie: it only sets
 * {@code wrk.headers["Cookie"]}, so wrk keeps its one pre-built request, exactly as {@code -H "Cookie: ..."} (the
 * one-hot-session run of before). Several: each wrk thread builds one request per cookie in {@code init} (setting
 * {@code wrk.headers["Cookie"]} from the table) and {@code request()} hands them out round-robin, each thread
 * starting at its own offset; pre-built so that per request wrk only makes one Lua call (no formatting).
 */
final class SessionCookieScript {
    private SessionCookieScript() {
    }

    /**
     * The script for {@code cookies} ("lg_session=...", each a header value) and {@code threads} wrk threads.
     *
     * @throws IllegalArgumentException if there is no cookie or one has a character that does not belong in a header
     */
    static String lua(List<String> cookies, int threads) {
        if (cookies.isEmpty()) {
            throw new IllegalArgumentException("no session cookie");
        }
        for (String c : cookies) {
            if (!c.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f && ch != '"' && ch != '\\')) {
                throw new IllegalArgumentException("not a plain cookie value: " + c);
            }
        }
        if (cookies.size() == 1) {
            return """
                    -- bench-session: one session, its cookie on every request (static: wrk builds the request once)
                    wrk.headers["Cookie"] = "%s"
                    """.formatted(cookies.getFirst());
        }
        String table = cookies.stream().map(c -> "  \"" + c + "\",").collect(Collectors.joining("\n"));
        return """
                -- bench-session: %d sessions, a different cookie per request, round-robin
                local cookies = {
                %s
                }
                local n = #cookies
                local step = math.max(1, math.floor(n / %d))
                local threads = 0
                local requests = {}
                local i = 0

                -- in the main Lua state, once per thread: where that thread starts in the table
                function setup(thread)
                  thread:set("first", (threads * step) %% n)
                  threads = threads + 1
                end

                -- in each thread's state: one pre-built request per cookie
                function init(args)
                  for k = 1, n do
                    wrk.headers["Cookie"] = cookies[k]
                    requests[k] = wrk.format()
                  end
                  i = first or 0
                end

                function request()
                  i = i %% n + 1
                  return requests[i]
                end
                """.formatted(cookies.size(), table, threads);
    }
}
