#!/usr/bin/env python3
"""Scenario 7: a three-broker cluster, replication factor 3, acks=all, side by side with Apache Kafka 4.3.

Each round starts three fresh Sluice brokers on a standalone ZooKeeper (bin/zookeeper-server-start.sh and
bin/sluice-server-start.sh, as a user runs them) and three fresh Kafka nodes (KRaft, every node broker and
controller, a static quorum, each as bench/kafka-server.sh sets one up), interleaved S K S K ..., creates a topic
of 3 partitions, replication factor 3, min.insync.replicas=2, and runs Kafka's ProducerPerformance with 1 KiB
records, acks=all. Reports throughput, producer p99 and the brokers' CPU (utime+stime of the three broker
JVMs, not ZooKeeper's: Kafka's controllers run inside its brokers, Sluice's coordination store does not, so
ZooKeeper's CPU is reported on its own row) per MB produced; medians and Sluice/Kafka ratios.

    bench/cluster.py [--rounds 3] [--records 300000] [--no-results]
"""
import argparse
import datetime
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (helpers shared with the single-broker scenarios)

BENCH = run.BENCH
ROOT = run.ROOT
TOPIC = "perf-cluster"


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / run.TICKS


class Cluster:
    """Three brokers (and Sluice's ZooKeeper) started as separate processes."""

    def __init__(self, kind, workdir):
        self.kind, self.workdir = kind, workdir
        self.procs, self.broker_pids, self.zk = [], [], None
        self.ports = [run.free_port() for _ in range(3)]

    def bootstrap(self):
        return ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def _spawn(self, cmd, name):
        log = open(os.path.join(self.workdir, name + ".log"), "w")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(p)
        return p

    def start(self):
        if self.kind == "sluice":
            zk_port = run.free_port()
            zk_dir = os.path.join(self.workdir, "zk")
            os.makedirs(zk_dir)
            conf = os.path.join(self.workdir, "zookeeper.properties")
            with open(conf, "w") as f:
                f.write(f"dataDir={zk_dir}\nclientPort={zk_port}\nmaxClientCnxns=0\nadmin.enableServer=false\n")
            self.zk = self._spawn([os.path.join(ROOT, "bin", "zookeeper-server-start.sh"), conf], "zookeeper")
            time.sleep(1)
            for i, port in enumerate(self.ports):
                p = self._spawn([os.path.join(ROOT, "bin", "sluice-server-start.sh"),
                                 "--override", f"broker.id={i}",
                                 "--override", f"listeners=PLAINTEXT://127.0.0.1:{port}",
                                 "--override", f"log.dirs={self.workdir}/data-{i}",
                                 "--override", f"zookeeper.connect=127.0.0.1:{zk_port}",
                                 "--override", "offsets.topic.replication.factor=3",
                                 "--override", "group.initial.rebalance.delay.ms=0"], f"broker-{i}")
                self.broker_pids.append(p.pid)
                if i == 0:
                    run.first_ack_seconds(type("T", (), {"port": port, "started_at": time.monotonic()})(), None)
        else:
            cports = [run.free_port() for _ in range(3)]
            voters = ",".join(f"{i}@127.0.0.1:{c}" for i, c in enumerate(cports))
            cp = run.kafka_classpath()
            cluster_id = subprocess.check_output(["java", "-cp", cp, "kafka.tools.StorageTool", "random-uuid"],
                                                 text=True).strip()
            for i, (port, cport) in enumerate(zip(self.ports, cports)):
                d = os.path.join(self.workdir, f"kafka-{i}")
                os.makedirs(d)
                props = os.path.join(d, "server.properties")
                with open(props, "w") as f:
                    f.write(f"""process.roles=broker,controller
node.id={i}
controller.quorum.voters={voters}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={d}/logs
offsets.topic.replication.factor=3
group.initial.rebalance.delay.ms=0
""")
                subprocess.run(["java", "-cp", cp, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", props,
                                "--ignore-formatted"], check=True, capture_output=True)
                p = self._spawn(["java", "-Xmx1g", "-Xms1g", "-XX:+UseG1GC", "-cp", cp,
                                 "-Dlog4j2.level=WARN", "kafka.Kafka", props], f"kafka-{i}")
                self.broker_pids.append(p.pid)
        cp = run.kafka_classpath()
        deadline = time.monotonic() + 120
        while True:
            out = subprocess.run(["java", "-cp", cp, "-Dlog4j2.level=WARN", "org.apache.kafka.tools.TopicCommand",
                                  "--bootstrap-server", self.bootstrap(), "--create", "--if-not-exists",
                                  "--topic", TOPIC, "--partitions", "3", "--replication-factor", "3",
                                  "--config", "min.insync.replicas=2"], capture_output=True, text=True)
            if out.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.kind}: cannot create the topic: {out.stderr[-1000:]}")
            time.sleep(1)
        time.sleep(3)  # every replica in sync before the clock starts

    def broker_cpu(self):
        return sum(proc_cpu(pid) for pid in self.broker_pids)

    def zk_cpu(self):
        return proc_cpu(self.zk.pid) if self.zk else 0.0

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def run_round(kind, cp, records, results):
    with tempfile.TemporaryDirectory(prefix=f"bench-cluster-{kind}-") as workdir:
        cluster = Cluster(kind, workdir)
        try:
            cluster.start()
            cpu0, zk0 = cluster.broker_cpu(), cluster.zk_cpu()
            target = type("T", (), {"port": cluster.ports[0]})()
            perf = run.java_tool(cp, "org.apache.kafka.tools.ProducerPerformance",
                                 ["--topic", TOPIC, "--num-records", str(records), "--record-size", "1024",
                                  "--throughput", "-1", "--producer-props", f"bootstrap.servers={cluster.bootstrap()}",
                                  "acks=all"])
            last = perf.strip().splitlines()[-1]
            m = run.re.search(r"([\d.]+) records/sec \(([\d.]+) MB/sec\).*?(\d+) ms 99th", last)
            if not m:
                raise RuntimeError("unexpected perf output: " + last)
            mb = records * 1024 / 1e6
            row = {"MB/s": float(m.group(2)), "p99 ms": float(m.group(3)),
                   "broker CPU s/MB": (cluster.broker_cpu() - cpu0) / mb,
                   "ZooKeeper CPU s/MB": (cluster.zk_cpu() - zk0) / mb}
            for k, v in row.items():
                results.setdefault(k, {}).setdefault(kind, []).append(v)
            print(f"{kind}: {row}", flush=True)
            del target
        finally:
            cluster.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--records", type=int, default=300000)
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    cp = run.kafka_classpath()
    results = {}
    for _ in range(args.rounds):
        for kind in ("sluice", "kafka"):
            run_round(kind, cp, args.records, results)
    lines = ["", f"## Scenario 7, three brokers, RF 3, acks=all, 1 KiB ({datetime.date.today()}, {platform.node()},"
                 f" {os.cpu_count()} cores, {args.rounds} rounds, {args.records} records)", "",
             "| | Sluice | Kafka 4.3 | Sluice/Kafka |", "|---|---|---|---|"]
    for name, by in results.items():
        s, k = statistics.median(by["sluice"]), statistics.median(by["kafka"])
        ratio = f"{s / k:.2f}x" if k else "-"
        lines.append(f"| {name} | {s:.3g} | {k:.3g} | {ratio} |")
    print("\n".join(lines))
    if not args.no_results:
        with open(os.path.join(BENCH, "RESULTS.md"), "a") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
