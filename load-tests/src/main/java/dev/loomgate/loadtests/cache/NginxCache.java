package dev.loomgate.loadtests.cache;

import java.nio.file.Path;

import dev.loomgate.loadtests.NginxConfigs;

/** nginx for the cache benchmark: a 1 KB origin and a proxy_cache in front (keys in a memory zone), one worker per core. */
final class NginxCache {
    private NginxCache() {
    }

    /** {@code dir}: the nginx's own directory (pid, logs, temp files and the cache). */
    static String config(Path dir, int originPort, int cachePort) {
        String kb = "x".repeat(1023) + "\\n";
        return NginxConfigs.common(dir, Runtime.getRuntime().availableProcessors(), 4096) + """
                http {
                  access_log off;
                  client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
                  keepalive_requests 10000000; keepalive_timeout 300s;
                  proxy_cache_path %1$s/nginx-cache levels=1:2 keys_zone=bench:10m max_size=100m inactive=1h;
                  upstream origin { server 127.0.0.1:%2$d; keepalive 64; }
                  server {
                    listen 127.0.0.1:%2$d;
                    location / {
                      default_type text/plain;
                      add_header Cache-Control "max-age=3600";
                      return 200 "%4$s";
                    }
                  }
                  server {
                    listen 127.0.0.1:%3$d;
                    location / {
                      proxy_pass http://origin;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_cache bench;
                      proxy_cache_valid 200 1h;
                      proxy_cache_lock on;
                      add_header X-Cache $upstream_cache_status;
                    }
                  }
                }
                """.formatted(dir, originPort, cachePort, kb);
    }
}
