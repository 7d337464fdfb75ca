# A group consumer (subscribe) for ConsumerGroupsCompatTest, with librdkafka (python3-confluent-kafka) or
# kafka-python (python3-kafka). It prints one JSON object per line:
#   {"event": "assigned"|"revoked"|"lost", "partitions": [..]}   from its rebalance callbacks
#   {"event": "record", "partition": p, "offset": o, "value": v}  each record, committed synchronously after
#   {"event": "closed"}                                            after leaving the group
# It runs until its stdin is closed (the test's stop signal) or MAX_SECONDS passed, then closes the consumer.
#   python3 group_member.py BOOTSTRAP TOPIC GROUP CLIENT(confluent|kafka-python) STRATEGY CLIENT_ID MAX_SECONDS
import json
import sys
import threading
import time

bootstrap, topic, group, client, strategy, client_id, max_seconds = sys.argv[1:8]
deadline = time.time() + float(max_seconds)
stop = threading.Event()


def watch_stdin():
    sys.stdin.read()
    stop.set()


threading.Thread(target=watch_stdin, daemon=True).start()


def emit(**fields):
    print(json.dumps(fields), flush=True)


def running():
    return not stop.is_set() and time.time() < deadline


if client == 'confluent':
    from confluent_kafka import Consumer

    consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'client.id': client_id,
                         'partition.assignment.strategy': strategy, 'enable.auto.commit': False,
                         'auto.offset.reset': 'earliest', 'session.timeout.ms': 10000,
                         'heartbeat.interval.ms': 1000})
    # The callbacks receive the incremental sets with cooperative-sticky, the whole assignment otherwise;
    # confluent-kafka assigns (incrementally or not) after on_assign returns.
    consumer.subscribe([topic],
                       on_assign=lambda c, ps: emit(event='assigned', partitions=[p.partition for p in ps]),
                       on_revoke=lambda c, ps: emit(event='revoked', partitions=[p.partition for p in ps]),
                       on_lost=lambda c, ps: emit(event='lost', partitions=[p.partition for p in ps]))
    while running():
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            emit(event='error', error=str(msg.error()))
            continue
        emit(event='record', partition=msg.partition(), offset=msg.offset(), value=msg.value().decode())
        consumer.commit(message=msg, asynchronous=False)
    consumer.close()
else:
    from kafka import KafkaConsumer, ConsumerRebalanceListener
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor

    assignors = {'range': RangePartitionAssignor, 'roundrobin': RoundRobinPartitionAssignor}

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            emit(event='revoked', partitions=[tp.partition for tp in revoked])

        def on_partitions_assigned(self, assigned):
            emit(event='assigned', partitions=[tp.partition for tp in assigned])

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, client_id=client_id,
                             partition_assignment_strategy=[assignors[strategy]], enable_auto_commit=False,
                             auto_offset_reset='earliest', session_timeout_ms=10000, heartbeat_interval_ms=1000,
                             request_timeout_ms=30000)
    consumer.subscribe([topic], listener=Listener())
    while running():
        batches = consumer.poll(timeout_ms=200)
        for tp, records in batches.items():
            for r in records:
                emit(event='record', partition=r.partition, offset=r.offset, value=r.value.decode())
        if batches:
            consumer.commit()
    consumer.close()
emit(event='closed')
