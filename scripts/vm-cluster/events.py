#!/usr/bin/env python3
"""Turns an Ansible log (ANSIBLE_LOG_PATH: every line time-stamped) of site.yml's gateway play into timeline
events for the load report (chaos load --events): per gateway, from its drain in HAProxy to its return to
rotation. Usage: events.py ANSIBLE_LOG LABEL > events.tsv (startMillis, endMillis, name, target)."""
import datetime
import re
import sys

log, label = sys.argv[1], sys.argv[2]
line_re = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) p=\d+ u=\S+ n=\S+ \| (.*)$")
task_re = re.compile(r"^TASK \[(.*)\]")
result_re = re.compile(r"^(ok|changed|failed|fatal): \[([^\]\s]+)")
task, first, last = "", {}, {}
with open(log, encoding="utf-8", errors="replace") as f:
    for raw in f:
        m = line_re.match(raw.rstrip("\n"))
        if not m:
            continue
        t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=datetime.timezone.utc)
        ms, text = int(t.timestamp() * 1000), m.group(2)
        if task_re.match(text):
            task = task_re.match(text).group(1)
            continue
        r = result_re.match(text)
        if not r:
            continue
        host = r.group(2)
        if task.startswith("Drain the node"):
            first.setdefault(host, ms)
        elif task.startswith("Put the node back") or r.group(1) in ("failed", "fatal"):
            last[host] = ms
for host in sorted(first, key=first.get):
    end = last.get(host, first[host])
    print(f"{first[host]}\t{max(end, first[host])}\t{label}\t{host}")
