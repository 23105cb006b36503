#!/usr/bin/env python3
"""Accord over HTTP under load, side by side with a peer issue tracker (Redmine 5).

Starts `accord serve` (release build) on a fresh database with the demo loaded, measures its
idle memory, fills the demo partnership's RAID log to 5,000 items through the JSON API, then
runs wrk against three pages — the RAID log page, the RAID API's page of 100 and one RAID
item page — at 16 and 64 connections, sampling the server's memory. It then measures how fast
four clients raise items into the 5,000-item log. With --postgres URL the read matrix runs on
PostgreSQL too; with a Redmine server reachable (see BENCHMARKS.md) the same matrix runs against
its equivalent pages in the same run, and the ratios are reported.

Usage: python3 bench/http_load.py [--duration 30] [--postgres URL] [--soak SECONDS] [--out DIR]
Needs wrk (Debian package `wrk`) and a release build (`cargo build --release -p accord`).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROGRAMME = "programme@haringey.demo.accord.test"
HWF = "Haringey – Waltham Forest Shared Services Preferred Partnership"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid):
    """Resident memory of a process and its children, in MiB."""
    total = 0
    pids = [str(pid)]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
        pids += children.stdout.split()
    except FileNotFoundError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


class Sampler(threading.Thread):
    """Samples a process's memory every `every` seconds while it runs."""

    def __init__(self, pid, every=1.0):
        super().__init__(daemon=True)
        self.pid, self.every, self.samples, self.stop = pid, every, [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.samples.append((time.time(), rss_mib(self.pid)))
            self.stop.wait(self.every)


def accord_binary():
    binary = ROOT / "target" / "release" / "accord"
    if not binary.exists():
        subprocess.run(["cargo", "build", "--release", "-p", "accord"], cwd=ROOT, check=True)
    return binary


def run(binary, db, *args):
    out = subprocess.run([str(binary), "--db", db, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"accord {' '.join(args)} failed: {out.stderr}")
    return out.stdout


def wait_up(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"the server on port {port} did not come up")


class Api:
    def __init__(self, port, token):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method, path, body=None):
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None,
                          headers=self.headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data and response.getheader("content-type", "").startswith("application/json") else data)


def raid_body(i):
    kinds = ["risk", "risk", "issue", "assumption"]
    kind = kinds[i % len(kinds)]
    detail = {
        "risk": {"kind": "risk", "inherent": {"probability": 1 + i % 5, "impact": 1 + (i // 5) % 5},
                 "residual": {"probability": 1, "impact": 1 + (i // 5) % 5}},
        "issue": {"kind": "issue", "severity": 1 + i % 5},
        "assumption": {"kind": "assumption"},
    }[kind]
    owners = ["Programme Director", "HR lead", "Finance lead", "ICT lead", "Legal lead"]
    return {
        "title": f"Item {i}: shared payroll cut-over may slip",
        "description": "Generated for the HTTP benchmark.",
        "owner": owners[i % len(owners)],
        "raised_on": "2011-07-21",
        "detail": detail,
    }


WRK_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(url, connections, duration, headers=(), script=None):
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "30s"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latencies = {}
    for pct, value, unit in WRK_LATENCY.findall(out):
        latencies[pct] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    return {"rps": rate, "p50": latencies.get("50"), "p99": latencies.get("99"), "errors": errors, "raw": out}


def matrix(name, urls, headers, duration, pid=None, out_dir=None):
    rows = []
    for page, url in urls.items():
        # Warm-up, not recorded.
        wrk(url, 16, min(10, duration), headers)
        for c in (16, 64):
            sampler = Sampler(pid) if pid else None
            if sampler:
                sampler.start()
            r = wrk(url, c, duration, headers)
            if sampler:
                sampler.stop.set()
                sampler.join()
                r["rss"] = max(s for _, s in sampler.samples) if sampler.samples else None
            r.update(system=name, page=page, connections=c)
            if out_dir:
                (out_dir / f"wrk-{name}-{page}-c{c}.txt").write_text(r["raw"])
            rows.append(r)
            print(f"  {name:9} {page:10} c={c:<3} {r['rps']:9.1f} req/s  p50 {r['p50']} ms  p99 {r['p99']} ms"
                  f"  errors {r['errors']}" + (f"  max RSS {r['rss']:.0f} MiB" if r.get("rss") else ""), flush=True)
    return rows


def start_accord(binary, db, port, log):
    # One log line per request would be written to the log file: the benchmark measures serving.
    env = dict(os.environ, ACCORD_LOG="warn")
    server = subprocess.Popen(
        [str(binary), "--db", db, "serve", "--bind", f"127.0.0.1:{port}",
         "--organisation", "Benchmark"],
        stdout=log, stderr=log, env=env)
    wait_up(port)
    return server


def prepare_accord(binary, db, port, log, items):
    """A database with the demo and a RAID log of `items` items; returns (server, token, pid id)."""
    run(binary, db, "demo")
    token = re.search(r"(accord_pat_\S+)", run(binary, db, "user", "token", "--email", PROGRAMME, "--name", "benchmark")).group(1)
    server = start_accord(binary, db, port, log)
    time.sleep(2)
    idle = rss_mib(server.pid)
    api = Api(port, token)
    status, partnerships = api.call("GET", "/api/v1/partnerships?limit=500")
    pid = next(p["id"] for p in partnerships["items"] if p["name"] == HWF)
    status, page = api.call("GET", f"/api/v1/partnerships/{pid}/raid?limit=1")
    have = page["total"]
    started = time.time()
    for i in range(have, items):
        status, body = api.call("POST", f"/api/v1/partnerships/{pid}/raid", raid_body(i))
        if status != 201:
            sys.exit(f"raising item {i} failed with {status}: {body}")
    took = time.time() - started
    print(f"  filled the RAID log from {have} to {items} items in {took:.1f} s "
          f"({(items - have) / max(took, 1e-9):.0f} items/s, one client, keep-alive)")
    # One risk from the middle of the log, by its own reference (items cycle risk, risk,
    # issue, assumption, so a middle number need not be a risk's).
    middle = items // 2
    status, found = api.call("GET", f"/api/v1/partnerships/{pid}/raid?kind=risk&limit=1&text=Item+{middle}%3A")
    if status != 200 or not found["items"]:
        status, found = api.call("GET", f"/api/v1/partnerships/{pid}/raid?kind=risk&limit=1")
    reference = found["items"][0]["reference"]
    return server, token, pid, idle, reference


POST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"title":"Raised under load %d","owner":"Programme Director","raised_on":"2011-07-21","detail":{"kind":"issue","severity":3}}', n)
  return wrk.format(nil, nil, nil, body)
end
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--postgres", help="a PostgreSQL URL to run the read matrix on as well")
    parser.add_argument("--soak", type=int, default=0, help="seconds of mixed load to check memory stays flat")
    parser.add_argument("--out", default=str(ROOT / "target" / "bench-http"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian package wrk)")
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    binary = accord_binary()
    results = []
    with tempfile.TemporaryDirectory() as tmp, open(out_dir / "accord.log", "w") as log:
        backends = [("sqlite", f"sqlite:{tmp}/accord.db")]
        if args.postgres:
            backends.append(("postgres", args.postgres))
        for backend, db in backends:
            print(f"Accord on {backend}:", flush=True)
            port = free_port()
            server, token, pid, idle, reference = prepare_accord(binary, db, port, log, args.items)
            print(f"  idle RSS with the demo: {idle:.1f} MiB")
            base = f"http://127.0.0.1:{port}"
            urls = {
                "list": f"{base}/partnerships/{pid}/raid",
                "json": f"{base}/api/v1/partnerships/{pid}/raid?limit=100",
                "item": f"{base}/partnerships/{pid}/raid/{reference}",
            }
            auth = [f"Authorization: Bearer {token}"]
            rows = matrix(f"accord-{backend}", urls, auth, args.duration, server.pid, out_dir)
            results += rows
            if backend == "sqlite":
                lua = out_dir / "raise.lua"
                lua.write_text(POST_LUA)
                r = wrk(f"{base}/api/v1/partnerships/{pid}/raid", 4, min(args.duration, 20), auth, str(lua))
                print(f"  raising items, 4 clients: {r['rps']:.0f} items/s, p50 {r['p50']} ms, p99 {r['p99']} ms, errors {r['errors']}")
                results.append(dict(r, system="accord-sqlite", page="raise", connections=4))
                if args.soak:
                    sampler = Sampler(server.pid, every=10)
                    sampler.start()
                    end = time.time() + args.soak
                    while time.time() < end:
                        for url in urls.values():
                            wrk(url, 64, 10, auth)
                    sampler.stop.set()
                    sampler.join()
                    values = [s for _, s in sampler.samples]
                    print(f"  soak {args.soak} s: RSS first {values[0]:.0f} MiB, last {values[-1]:.0f} MiB, "
                          f"max {max(values):.0f} MiB (samples every 10 s: {', '.join(f'{v:.0f}' for v in values)})")
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    # The peer: Redmine 5 on the equivalent pages, when reachable.
    redmine = os.environ.get("REDMINE_URL", "http://127.0.0.1:3000")
    key = os.environ.get("REDMINE_API_KEY") or read_first("/var/lib/redmine/bench/admin_api_key")
    issue = os.environ.get("REDMINE_ISSUE_ID") or read_first("/var/lib/redmine/bench/issue_id")
    start, stop = os.environ.get("REDMINE_START"), os.environ.get("REDMINE_STOP")
    if start:
        subprocess.run(start, shell=True, check=True)
    try:
        if key and issue and reachable(redmine):
            print("Redmine:", flush=True)
            peer = {
                "list": f"{redmine}/projects/alpha/issues",
                "json": f"{redmine}/issues.json?project_id=bravo&limit=100",
                "item": f"{redmine}/issues/{issue}",
            }
            results += matrix("redmine", peer, [f"X-Redmine-API-Key: {key}"], args.duration)
        else:
            print("Redmine is not reachable: the peer columns are left out (see BENCHMARKS.md).")
    finally:
        if stop:
            subprocess.run(stop, shell=True)

    print("\n| page | connections | " + " | ".join(sorted({r['system'] for r in results})) + " | ratio (Accord SQLite / Redmine) |")
    for page in ("list", "json", "item"):
        for c in (16, 64):
            by = {r["system"]: r for r in results if r["page"] == page and r["connections"] == c}
            cells = [f"{by[s]['rps']:.0f} req/s, p99 {by[s]['p99']} ms" if s in by else "" for s in sorted({r['system'] for r in results})]
            ratio = ""
            if "accord-sqlite" in by and "redmine" in by and by["redmine"]["rps"] > 0:
                ratio = f"{by['accord-sqlite']['rps'] / by['redmine']['rps']:.0f}×"
            print(f"| {page} | {c} | " + " | ".join(cells) + f" | {ratio} |")
    (out_dir / "results.json").write_text(json.dumps([{k: v for k, v in r.items() if k != "raw"} for r in results], indent=1))


def read_first(path):
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def reachable(url):
    m = re.match(r"http://([^:/]+):?(\d+)?", url)
    try:
        socket.create_connection((m.group(1), int(m.group(2) or 80)), timeout=2).close()
        return True
    except OSError:
        return False


if __name__ == "__main__":
    main()
