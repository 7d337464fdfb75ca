#!/usr/bin/env python3
"""Side-by-side benchmarks of Sluice and Apache Kafka 4.3 on this machine.

Each round starts a fresh Sluice and a fresh Kafka (interleaved: S K S K ...), runs every scenario
against each with Kafka's own perf tools, and stops it. Reports medians and Sluice/Kafka ratios, and
writes them to bench/RESULTS.md.

    bench/run.py [--rounds 3] [--records 300000] [--only startup,produce-1k]
"""
import argparse
import datetime
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kafka_classpath():
    return subprocess.check_output([os.path.join(BENCH, "classpath.sh")], text=True).strip()


class Target:
    """One broker under test, started as a separate process."""

    def __init__(self, kind, workdir):
        self.kind, self.workdir = kind, workdir
        self.port = free_port()
        self.proc = None

    def start(self):
        log = open(os.path.join(self.workdir, "broker.log"), "w")
        if self.kind == "sluice":
            cmd = [os.path.join(ROOT, "bin", "sluice-server-start.sh"),
                   "--override", f"listeners=PLAINTEXT://127.0.0.1:{self.port}",
                   "--override", f"log.dirs={self.workdir}/data"]
        else:
            while True:  # Kafka's controller takes port + 1
                with socket.socket() as s:
                    try:
                        s.bind(("127.0.0.1", self.port + 1))
                        break
                    except OSError:
                        self.port = free_port()
            cmd = [os.path.join(BENCH, "kafka-server.sh"), self.workdir, str(self.port)]
            # Format the storage before the clock starts: it is a one-time setup step, not startup.
            subprocess.run(cmd + ["--format-only"], check=True, stdout=log, stderr=log)
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def pid(self):
        # The scripts exec java, so the child is the JVM.
        return self.proc.pid

    def cpu_seconds(self):
        with open(f"/proc/{self.pid()}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def rss_mib(self):
        with open(f"/proc/{self.pid()}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def java_tool(cp, main, args, timeout=600):
    cmd = ["java", "-Xmx512m", "-cp", cp, "-Dlog4j2.level=WARN", main] + args
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{main} failed: {out.stderr[-2000:]}")
    return out.stdout


def first_ack_seconds(target, cp):
    """Time from launching the broker to the first acknowledged produce (acks=all)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        r = subprocess.run(["kcat", "-b", f"127.0.0.1:{target.port}", "-P", "-t", "startup",
                            "-X", "message.timeout.ms=2000", "-X", "request.required.acks=-1"],
                           input="x\n", capture_output=True, text=True, timeout=30)
        if r.returncode == 0 and "ERROR" not in r.stderr:
            return time.monotonic() - target.started_at
        time.sleep(0.02)
    raise RuntimeError(f"{target.kind} never acknowledged a produce")


def producer_perf(target, cp, topic, records, size, props):
    out = java_tool(cp, "org.apache.kafka.tools.ProducerPerformance",
                    ["--topic", topic, "--num-records", str(records), "--record-size", str(size),
                     "--throughput", "-1", "--producer-props", f"bootstrap.servers=127.0.0.1:{target.port}"] + props)
    last = out.strip().splitlines()[-1]
    m = re.search(r"([\d.]+) records/sec \(([\d.]+) MB/sec\).*?(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th", last)
    if not m:
        raise RuntimeError("unexpected perf output: " + last)
    return {"records/s": float(m.group(1)), "MB/s": float(m.group(2)), "p99 ms": float(m.group(5))}


def run_round(kind, cp, args, results):
    workdir = tempfile.mkdtemp(prefix=f"bench-{kind}-")
    target = Target(kind, workdir)
    try:
        target.start()
        results.setdefault("startup to first ack (s)", {}).setdefault(kind, []).append(first_ack_seconds(target, cp))
        results.setdefault("RSS after startup (MiB)", {}).setdefault(kind, []).append(target.rss_mib())
        mb = args.records * 1024 / 1e6
        cpu0 = target.cpu_seconds()
        r = producer_perf(target, cp, "perf-1k", args.records, 1024, ["acks=all"])
        cpu = target.cpu_seconds() - cpu0
        results.setdefault("produce 1 KiB acks=all (MB/s)", {}).setdefault(kind, []).append(r["MB/s"])
        results.setdefault("produce 1 KiB acks=all p99 (ms)", {}).setdefault(kind, []).append(r["p99 ms"])
        results.setdefault("broker CPU per MB, produce 1 KiB (ms)", {}).setdefault(kind, []).append(1000 * cpu / mb)
        results.setdefault("RSS after produce 1 KiB (MiB)", {}).setdefault(kind, []).append(target.rss_mib())
        r = producer_perf(target, cp, "perf-100", args.records * 4, 100,
                          ["acks=1", "linger.ms=5", "batch.size=65536"])
        results.setdefault("produce 100 B acks=1 linger 5 (records/s)", {}).setdefault(kind, []).append(r["records/s"])
    finally:
        target.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--records", type=int, default=300000)
    args = parser.parse_args()
    subprocess.run([os.path.join(ROOT, "bin", "sluice-server-start.sh"), "--version"], check=True,
                   stdout=subprocess.DEVNULL)
    cp = kafka_classpath()
    results = {}
    for i in range(args.rounds):
        for kind in ("sluice", "kafka"):
            print(f"round {i + 1}/{args.rounds}: {kind}", file=sys.stderr)
            run_round(kind, cp, args, results)
    lines = [f"## {datetime.date.today()} — {os.cpu_count()} cores, "
             f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2**30} GiB, "
             f"{subprocess.run(['java', '-version'], capture_output=True, text=True).stderr.splitlines()[0]}",
             "", f"`bench/run.py --rounds {args.rounds} --records {args.records}`; medians of {args.rounds} rounds, "
             "interleaved Sluice, Kafka, Sluice, ...", "",
             "| scenario | Sluice | Kafka 4.3 | Sluice/Kafka |", "|---|---|---|---|"]
    for name, by_kind in results.items():
        s, k = statistics.median(by_kind["sluice"]), statistics.median(by_kind["kafka"])
        lines.append(f"| {name} | {s:.2f} | {k:.2f} | {s / k:.2f}x |")
    report = "\n".join(lines) + "\n"
    print(report)
    with open(os.path.join(BENCH, "RESULTS.md"), "a") as f:
        f.write("\n" + report)


if __name__ == "__main__":
    main()
