#!/usr/bin/env python3
"""Smoke check of a vm-cluster through the VIP (run in the control namespace): every gateway answers
through the VIP (X-Loomgate-Node), GET and POST reach the demo upstream, the rate-limited route answers
429 cluster-wide (Redis), the firewall closes a gateway's proxy port to the control namespace (only the LBs
may reach it), Prometheus on the monitoring host scrapes every gateway, HAProxy and Redis target. Usage: smoke.py VIP "name role .N"... ; exit 1 with the reason on the first failure."""
import http.client
import json
import math
import socket
import sys
import time

vip, machines = sys.argv[1], sys.argv[2:]
base = vip.rsplit(".", 1)[0]
gateways = sorted(m.split()[0] for m in machines if m.split()[1] == "gateways")
gw_address = next(base + m.split()[2] for m in machines if m.split()[1] == "gateways")


def request(method, path, body=None):
    c = http.client.HTTPConnection(vip, 80, timeout=5)
    try:
        c.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
        r = c.getresponse()
        return r.status, r.getheader("X-Loomgate-Node") or "", r.read()
    finally:
        c.close()


def fail(msg):
    print(f"smoke: FAIL {msg}")
    sys.exit(1)


# 1. every gateway, through the VIP (fresh connections, no cookie: round robin), within 60 s of the run's end
seen, deadline, statuses = set(), time.time() + 60, []
while time.time() < deadline and seen != set(gateways):
    try:
        status, node, _ = request("GET", "/demo/smoke")
        statuses.append(status)
        if status == 200:
            seen.add(node)
    except OSError as e:
        statuses.append(type(e).__name__)
    time.sleep(0.05)
if seen != set(gateways):
    fail(f"GET /demo through the VIP reached {sorted(seen)}, want {gateways} (last statuses {statuses[-10:]})")
print(f"smoke: ok    every gateway answers through the VIP {vip}: {sorted(seen)}")

# 2. GET and POST reach the upstream
status, node, body = request("POST", "/demo/smoke", b'{"smoke":true}')
if status != 200 or b'"method": "POST"' not in body:
    fail(f"POST /demo/smoke: {status} {body[:200]!r}")
print(f"smoke: ok    POST reaches the demo upstream through {node}: {body.strip().decode()}")

# 3. the rate limit is cluster-wide: 30 quick requests spread over all nodes, limit 5 per second for the route.
# One shared bucket lets about 5 x (seconds + 1) through; a bucket per node would let N times that through.
t0 = time.time()
codes = [request("GET", "/limited/x")[0] for _ in range(30)]
elapsed = time.time() - t0
shared = 5 * (math.ceil(elapsed) + 1)  # the same bound as the chaos harness's SmokeCheck
if codes.count(429) == 0 or codes.count(200) == 0 or codes.count(200) > shared:
    fail(f"/limited: want at most {shared} x 200 in {elapsed:.1f} s (5/s cluster-wide), got {codes}")
print(f"smoke: ok    /limited is limited cluster-wide through Redis: {codes.count(200)} x 200, {codes.count(429)} x 429 "
      f"in {elapsed:.1f} s (one shared bucket: <= {shared:.0f}; {len(gateways)} per-node buckets: ~{len(gateways) * shared:.0f})")

# 4. the firewall: the control namespace is 'admin', not an LB: a gateway's proxy port must not answer it
s = socket.socket()
s.settimeout(2)
try:
    s.connect((gw_address, 8080))
    fail(f"{gw_address}:8080 accepted a connection from the control namespace: the firewall is not applied")
except socket.timeout:
    print(f"smoke: ok    firewall: {gw_address}:8080 drops a connection from the control namespace (timeout)")
except OSError as e:
    fail(f"{gw_address}:8080 from the control namespace: {e} (want a silent drop by nftables)")
finally:
    s.close()

# 5. monitoring: every target of the gateway, HAProxy and Redis jobs is up (the control namespace is 'admin',
# which the port matrix lets reach Prometheus); scrapes need a few intervals after the first run.
mon = [base + m.split()[2] for m in machines if m.split()[1] == "monitoring"]
if mon:
    jobs, deadline, down = ("loomgate-gateway", "haproxy", "redis"), time.time() + 90, ["(no answer yet)"]
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection(mon[0], 9090, timeout=5)
            c.request("GET", "/api/v1/targets?state=active")
            targets = json.loads(c.getresponse().read())["data"]["activeTargets"]
            c.close()
            mine = [t for t in targets if t["labels"].get("job") in jobs]
            down = [f'{t["labels"]["job"]} {t["labels"].get("instance")}: {t["health"]}' for t in mine if t["health"] != "up"]
            if mine and not down and {t["labels"]["job"] for t in mine} == set(jobs):
                break
        except (OSError, ValueError, KeyError) as e:
            down = [repr(e)]
        time.sleep(2)
    else:
        fail(f"Prometheus on {mon[0]}: targets not up after 90 s: {down}")
    print(f"smoke: ok    Prometheus on {mon[0]} scrapes {len(mine)} targets of {', '.join(jobs)}, all up")
