package dev.loomgate.gateway.redis;

/**
 * The Lua scripts of {@link RedisSessionStore}: each runs on one session key (so on standalone, Sentinel and Cluster
 * alike), reads the Redis clock ({@code TIME}) and changes only the fields it names.
 */
final class SessionScripts {
    private SessionScripts() {
    }

    private static final String NOW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local idle, rolling, absolute = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
            """;
    private static final String CHECK = """
            local function check(c, i, a)
              if now - a >= idle then return 'idle' end
              if now - c >= absolute then return 'absolute' end
              if now - i >= rolling then return 'rolling' end
              return nil
            end
            local function ttl(c, i)
              return math.max(1, math.min(idle, absolute - (now - c), rolling - (now - i)))
            end
            """;
    /** ARGV: idle, rolling, absolute. Returns {ok, now, _c, _i, k, v, ...} | {moved, id} | {none|idle|...}. */
    static final Script LOAD = new Script(NOW + CHECK + """
            local h = redis.call('HGETALL', KEYS[1])
            if #h == 0 then return {'none'} end
            local m = {}
            for k = 1, #h, 2 do m[h[k]] = h[k + 1] end
            if m['_m'] then return {'moved', m['_m']} end
            local c, i, a = tonumber(m['_c']), tonumber(m['_i']), tonumber(m['_a'])
            if not c or not i or not a then return {'none'} end
            local why = check(c, i, a)
            if why then redis.call('DEL', KEYS[1]) return {why} end
            redis.call('HSET', KEYS[1], '_a', now)
            redis.call('PEXPIRE', KEYS[1], ttl(c, i))
            local out = {'ok', tostring(now), m['_c'], m['_i']}
            for k = 1, #h, 2 do
              if string.sub(h[k], 1, 1) ~= '_' or (h[k] ~= '_c' and h[k] ~= '_i' and h[k] ~= '_a') then
                out[#out + 1] = h[k]
                out[#out + 1] = h[k + 1]
              end
            end
            return out
            """);
    /**
     * ARGV: idle, rolling, absolute, mode (new|moved-in), created-at (moved-in), k, v, ... Creates the session;
     * moved-in keeps the old creation time and never overwrites a field a redirected write already put there.
     */
    static final Script CREATE = new Script(NOW + CHECK + """
            local key = KEYS[1]
            if ARGV[4] == 'new' and redis.call('EXISTS', key) == 1 then return -1 end
            local c = now
            if ARGV[4] ~= 'new' then c = tonumber(ARGV[5]) end
            for k = 6, #ARGV, 2 do redis.call('HSETNX', key, ARGV[k], ARGV[k + 1]) end
            redis.call('HSET', key, '_c', c, '_i', now, '_a', now)
            if now - c >= absolute then redis.call('DEL', key) return -2 end
            redis.call('PEXPIRE', key, ttl(c, now))
            return now
            """);
    /**
     * ARGV: idle, rolling, absolute, max-fields, redirected (0|1), set-count, k, v, ..., removed names.
     * Returns {ok} | {moved, id} | {none|idle|...} | {full}.
     */
    static final Script WRITE = new Script(NOW + CHECK + """
            local key = KEYS[1]
            local m = redis.call('HMGET', key, '_c', '_i', '_a', '_m')
            if m[4] then return {'moved', m[4]} end
            local redirected = ARGV[5] == '1'
            if not m[1] and not redirected then return {'none'} end
            if m[1] then
              local why = check(tonumber(m[1]), tonumber(m[2]), tonumber(m[3]))
              if why then redis.call('DEL', key) return {why} end
            end
            local n = tonumber(ARGV[6])
            local last = 6 + 2 * n
            for k = 7, last, 2 do redis.call('HSET', key, ARGV[k], ARGV[k + 1]) end
            for k = last + 1, #ARGV do redis.call('HDEL', key, ARGV[k]) end
            if redis.call('HLEN', key) > tonumber(ARGV[4]) then
              for k = 7, last, 2 do redis.call('HDEL', key, ARGV[k]) end
              return {'full'}
            end
            if m[1] then
              redis.call('HSET', key, '_a', now)
              redis.call('PEXPIRE', key, ttl(tonumber(m[1]), tonumber(m[2])))
            else
              redis.call('PEXPIRE', key, 10000)
            end
            return {'ok'}
            """);
    /**
     * ARGV: new id, grace ms. Takes every field out of the old key atomically; leaves a {@code _m} stub for the
     * grace (none when 0). Returns {ok, k, v, ...} | {none}.
     */
    static final Script MOVE_OUT = new Script("""
            local h = redis.call('HGETALL', KEYS[1])
            if #h == 0 then return {'none'} end
            local m = {}
            for k = 1, #h, 2 do m[h[k]] = h[k + 1] end
            if m['_m'] or not m['_c'] then return {'none'} end
            redis.call('DEL', KEYS[1])
            if tonumber(ARGV[2]) > 0 then
              redis.call('HSET', KEYS[1], '_m', ARGV[1])
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            local out = {'ok'}
            for k = 1, #h do out[#out + 1] = h[k] end
            return out
            """);

    record Script(String text, String sha) {
        Script(String text) {
            this(text, sha1(text));
        }

        private static String sha1(String text) {
            try {
                return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                        .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
