# A producer or a reader for ClusterClientsTest, with librdkafka (python3-confluent-kafka) or kafka-python
# (python3-kafka), used while the test kills and restarts a broker of the cluster.
#
#   python3 failover_client.py CLIENT(confluent|kafka-python) produce BOOTSTRAP TOPIC PARTITIONS
#     acks=all (and idempotence with confluent): 'record-<seq>' to partition seq % PARTITIONS, one every few ms,
#     until its stdin is closed (the test's stop signal); then it flushes. One JSON object per line:
#       {"event": "acked", "partition": p, "offset": o, "value": v}  a successful delivery report
#       {"event": "failed", "partition": p, "value": v, "error": e}  a failed one
#       {"event": "error", "fatal": bool, "error": e}                 librdkafka's error callback
#       {"event": "closed", "produced": n, "undelivered": n}           after the flush
#
#   python3 failover_client.py CLIENT consume BOOTSTRAP TOPIC PARTITIONS
#     assigns every partition (no group is joined), reads from the beginning to the end offsets the leaders
#     report now and prints one JSON object: {"records": [[partition, offset, value], ...]}
import json
import signal
import sys
import threading
import time

client, mode, bootstrap, topic, partitions = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])

# kafka-python calls back on its sender thread, librdkafka on the thread that polls: one line at a time.
print_lock = threading.Lock()


def emit(**fields):
    with print_lock:
        print(json.dumps(fields), flush=True)


stop = threading.Event()


def watch_stdin():
    sys.stdin.read()
    stop.set()


def produce_confluent():
    from confluent_kafka import Producer

    def on_error(err):
        emit(event='error', fatal=err.fatal(), error=str(err))

    # message.timeout.ms well past a failover (session expiry, election, metadata refresh): a record waits
    # for the new leader instead of failing.
    producer = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'acks': 'all',
                         'linger.ms': 5, 'message.timeout.ms': 300000, 'error_cb': on_error})

    def on_delivery(err, msg):
        if err is None:
            emit(event='acked', partition=msg.partition(), offset=msg.offset(), value=msg.value().decode())
        else:
            emit(event='failed', partition=msg.partition(), value=msg.value().decode(), error=str(err))

    seq = 0
    while not stop.is_set():
        try:
            producer.produce(topic, partition=seq % partitions, key=b'k%d' % seq, value=b'record-%d' % seq,
                             on_delivery=on_delivery)
            seq += 1
        except BufferError:
            pass  # the queue is full while no leader answers: poll below serves delivery reports, then retry
        producer.poll(0.005)
    undelivered = producer.flush(120)
    emit(event='closed', produced=seq, undelivered=undelivered)


def produce_kafka_python():
    from kafka import KafkaProducer

    # kafka-python has no idempotence: a retried batch the old leader had written and replicated before it died
    # is written again, so a record may be stored twice. retries keeps a record going through the failover.
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all', retries=1000, retry_backoff_ms=200,
                             request_timeout_ms=30000, max_block_ms=60000, linger_ms=5)

    def acked(value):
        return lambda metadata: emit(event='acked', partition=metadata.partition, offset=metadata.offset,
                                     value=value)

    def failed(partition, value):
        return lambda error: emit(event='failed', partition=partition, value=value, error=repr(error))

    seq = 0
    while not stop.is_set():
        partition, value = seq % partitions, 'record-%d' % seq
        future = producer.send(topic, partition=partition, key=b'k%d' % seq, value=value.encode())
        future.add_callback(acked(value))
        future.add_errback(failed(partition, value))
        seq += 1
        time.sleep(0.005)
    producer.flush(timeout=120)
    producer.close(timeout=30)
    emit(event='closed', produced=seq, undelivered=0)


def consume_confluent():
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    # group.id is required by librdkafka, but an assign-mode consumer never joins it and commits nothing
    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'cluster-clients-assign-only',
                         'enable.auto.commit': False, 'enable.auto.offset.store': False})
    ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1] for p in range(partitions)}
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    positions = {p: 0 for p in range(partitions)}
    records = []
    while any(positions[p] < ends[p] for p in range(partitions)):
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            print('consume error: %s' % msg.error(), file=sys.stderr)
            continue
        records.append([msg.partition(), msg.offset(), msg.value().decode()])
        positions[msg.partition()] = msg.offset() + 1
    consumer.close()
    return records


def consume_kafka_python():
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             auto_offset_reset='earliest', request_timeout_ms=30000)
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    ends = consumer.end_offsets(tps)
    records = []
    while any(consumer.position(tp) < ends[tp] for tp in tps):
        for tp, batch in consumer.poll(timeout_ms=500).items():
            records.extend([r.partition, r.offset, r.value.decode()] for r in batch)
    consumer.close()
    return records


def stuck(signum, frame):
    print('timed out after 90 s reading %s to its end offsets' % topic, file=sys.stderr)
    sys.exit(3)


if mode == 'produce':
    threading.Thread(target=watch_stdin, daemon=True).start()
    produce_confluent() if client == 'confluent' else produce_kafka_python()
else:
    signal.signal(signal.SIGALRM, stuck)
    signal.alarm(90)
    read = consume_confluent() if client == 'confluent' else consume_kafka_python()
    print(json.dumps({'records': read}))
