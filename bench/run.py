#!/usr/bin/env python3
"""Side-by-side benchmarks of Sluice and Apache Kafka 4.3 on this machine.

Each round starts a fresh Sluice and a fresh Kafka (interleaved: S K S K ...), runs every scenario
against each with Kafka's own perf tools (or bench/src/main/java where theirs are too coarse), and
stops it. Reports medians and Sluice/Kafka ratios, and appends them to bench/RESULTS.md.

    bench/run.py [--rounds 3] [--records 300000] [--consume-records 2000000]
                 [--latency-rate 5000] [--latency-seconds 20] [--only produce-1k,produce-100,latency,consume]
                 [--sluice-home DIR] [--no-results]

Startup (scenario 5) is measured in every round, since every round starts the broker. --sluice-home
(or SLUICE_HOME) runs DIR/bin/sluice-server-start.sh instead of this checkout's, e.g. a private build.
"""
import argparse
import datetime
import glob
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
SCENARIOS = ("produce-1k", "produce-100", "latency", "consume")
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kafka_classpath():
    return subprocess.check_output([os.path.join(BENCH, "classpath.sh")], text=True).strip()


class Target:
    """One broker under test, started as a separate process."""

    def __init__(self, kind, workdir, sluice_home):
        self.kind, self.workdir, self.sluice_home = kind, workdir, sluice_home
        self.port = free_port()
        self.proc = None

    def start(self):
        log = open(os.path.join(self.workdir, "broker.log"), "w")
        if self.kind == "sluice":
            # Kafka's settings from kafka-server.sh that are not already Sluice's defaults.
            cmd = [os.path.join(self.sluice_home, "bin", "sluice-server-start.sh"),
                   "--override", f"listeners=PLAINTEXT://127.0.0.1:{self.port}",
                   "--override", f"log.dirs={self.workdir}/data",
                   "--override", "offsets.topic.replication.factor=1",
                   "--override", "group.initial.rebalance.delay.ms=0"]
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
    """Time from launching the broker to the first acknowledged produce (acks=all, topic auto-created).

    The port is polled every 10 ms first, then one kcat produce is timed: a kcat started before the port
    opens waits out its own reconnect backoff, which would measure the client, not the broker.
    """
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(1)
            if s.connect_ex(("127.0.0.1", target.port)) == 0:
                break
        time.sleep(0.01)
    while time.monotonic() < deadline:
        r = subprocess.run(["kcat", "-b", f"127.0.0.1:{target.port}", "-P", "-t", "startup",
                            "-X", "message.timeout.ms=30000", "-X", "request.required.acks=-1"],
                           input="x\n", capture_output=True, text=True, timeout=60)
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


def consumer_perf(target, cp, topic, records):
    out = java_tool(cp, "org.apache.kafka.tools.ConsumerPerformance",
                    ["--bootstrap-server", f"127.0.0.1:{target.port}", "--topic", topic,
                     "--num-records", str(records), "--hide-header"])
    # start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
    # rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
    last = out.strip().splitlines()[-1]
    fields = [f.strip() for f in last.split(",")]
    if len(fields) != 10 or int(fields[4]) < records:
        raise RuntimeError("unexpected consumer perf output: " + last)
    return {"MB": float(fields[2]), "rebalance ms": float(fields[6]), "fetch MB/s": float(fields[8])}


def end_to_end_latency(target, cp, args):
    out = java_tool(cp, "io.sluice.bench.EndToEndLatency",
                    ["--bootstrap-server", f"127.0.0.1:{target.port}", "--topic", "latency",
                     "--rate", str(args.latency_rate), "--record-size", "1024",
                     "--seconds", str(args.latency_seconds), "--warmup-seconds", "5"])
    line = next(l for l in out.splitlines() if l.startswith("RESULT "))
    return {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}


def run_round(kind, cp, args, results):
    def record(name, value):
        results.setdefault(name, {}).setdefault(kind, []).append(value)

    workdir = tempfile.mkdtemp(prefix=f"bench-{kind}-")
    target = Target(kind, workdir, args.sluice_home)
    try:
        target.start()
        record("5. startup to first ack (s)", first_ack_seconds(target, cp))
        record("5. RSS after startup (MiB)", target.rss_mib())
        if "produce-1k" in args.only:
            mb = args.records * 1024 / 1e6
            cpu0 = target.cpu_seconds()
            r = producer_perf(target, cp, "perf-1k", args.records, 1024, ["acks=all"])
            cpu = target.cpu_seconds() - cpu0
            record("1. produce 1 KiB acks=all (MB/s)", r["MB/s"])
            record("1. produce 1 KiB acks=all, perf-test p99 (ms)", r["p99 ms"])
            record("6. broker CPU per MB, produce 1 KiB (ms)", 1000 * cpu / mb)
            record("5. RSS after produce 1 KiB (MiB)", target.rss_mib())
        if "produce-100" in args.only:
            r = producer_perf(target, cp, "perf-100", args.records * 4, 100,
                              ["acks=1", "linger.ms=5", "batch.size=65536"])
            record("2. produce 100 B acks=1 linger 5 (records/s)", r["records/s"])
        if "latency" in args.only:
            r = end_to_end_latency(target, cp, args)
            label = f"3. end-to-end {args.latency_rate / 1000:g}k/s 1 KiB"
            record(f"{label} p50 (ms)", r["p50_us"] / 1000)
            record(f"{label} p99 (ms)", r["p99_us"] / 1000)
            record(f"{label} p99.9 (ms)", r["p999_us"] / 1000)
            # A broker that cannot keep up makes the producer fall behind its schedule: show it.
            record(f"{label} achieved rate (records/s)", r["rate"])
        if "consume" in args.only:
            # Pre-produce, not measured, then read it all back from offset 0 with a new group.
            producer_perf(target, cp, "catch-up", args.consume_records, 100,
                          ["acks=1", "linger.ms=5", "batch.size=65536"])
            cpu0 = target.cpu_seconds()
            r = consumer_perf(target, cp, "catch-up", args.consume_records)
            cpu = target.cpu_seconds() - cpu0
            record("4. consume catch-up 100 B (MB/s, fetch time)", r["fetch MB/s"])
            record("4. consume catch-up, group join (ms)", r["rebalance ms"])
            record("6. broker CPU per MB, consume 100 B (ms)", 1000 * cpu / (r["MB"] * 1.048576))
    finally:
        target.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def fmt(v):
    return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.2f}" if abs(v) >= 1 else f"{v:.3f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--records", type=int, default=300000,
                        help="records of scenario 1 (scenario 2 sends 4x as many)")
    parser.add_argument("--consume-records", type=int, default=2000000, help="100-byte records of scenario 4")
    parser.add_argument("--latency-rate", type=int, default=5000, help="records/s of scenario 3")
    parser.add_argument("--latency-seconds", type=int, default=20, help="measured seconds of scenario 3")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated subset of " + ",".join(SCENARIOS))
    parser.add_argument("--sluice-home", default=os.environ.get("SLUICE_HOME", ROOT))
    parser.add_argument("--no-results", action="store_true", help="print the table, do not append to RESULTS.md")
    args = parser.parse_args()
    args.only = set(args.only.split(","))
    if not args.only <= set(SCENARIOS):
        parser.error(f"--only takes {','.join(SCENARIOS)}")
    # sluice-server-start.sh would build a missing jar with `mvn install`: in a shared checkout, build a
    # private copy instead and pass --sluice-home.
    if not glob.glob(os.path.join(args.sluice_home, "server", "target", "sluice-server-*.jar")):
        parser.error(f"Sluice is not built in {args.sluice_home}: build it (mvn -o install -DskipTests) "
                     "or pass --sluice-home of a built copy")
    # The first start after a build writes the class data sharing archive (a training run of a few
    # seconds); do it here, before any clock starts, as a user's first start would have done it.
    subprocess.run([os.path.join(args.sluice_home, "bin", "sluice-server-start.sh"), "--startup-training"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cp = kafka_classpath()
    load_before = os.getloadavg()[1]
    results = {}
    for i in range(args.rounds):
        for kind in ("sluice", "kafka"):
            print(f"round {i + 1}/{args.rounds}: {kind}", file=sys.stderr)
            run_round(kind, cp, args, results)
    lines = [f"## {datetime.date.today()} — {os.cpu_count()} cores, "
             f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2**30} GiB, "
             f"{subprocess.run(['java', '-version'], capture_output=True, text=True).stderr.splitlines()[0]}",
             "", f"`{' '.join(['bench/run.py'] + sys.argv[1:])}`"
             f" ({', '.join(sorted(args.only))}; {args.records} records for 1, {args.consume_records} for 4, "
             f"{args.latency_rate}/s for {args.latency_seconds} s for 3); medians of {args.rounds} rounds, "
             "interleaved Sluice, Kafka, Sluice, ...; 5-minute load average "
             f"{load_before:.1f} before, {os.getloadavg()[1]:.1f} after (other work on the machine).", "",
             "| scenario | Sluice | Kafka 4.3 | Sluice/Kafka |", "|---|---|---|---|"]
    for name in sorted(results, key=lambda n: n.split(".")[0]):  # by scenario, stable within one
        s, k = statistics.median(results[name]["sluice"]), statistics.median(results[name]["kafka"])
        lines.append(f"| {name} | {fmt(s)} | {fmt(k)} | {s / k:.2f}x |")
    report = "\n".join(lines) + "\n"
    print(report)
    print("all rounds: " + repr(results), file=sys.stderr)
    if not args.no_results:
        with open(os.path.join(BENCH, "RESULTS.md"), "a") as f:
            f.write("\n" + report)


if __name__ == "__main__":
    main()
