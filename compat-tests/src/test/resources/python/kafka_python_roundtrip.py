# kafka-python (python3-kafka): produce COUNT records with COMPRESSION ('none' or 'gzip') to partition 0
# of TOPIC, then read them back with an assign-mode consumer (group_id=None). Prints one JSON object.
#   python3 kafka_python_roundtrip.py BOOTSTRAP TOPIC COMPRESSION COUNT BASE_TIMESTAMP_MS
import json
import signal
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

# A client stuck on a broker that does not answer fails the run in 75 s, saying where it was stuck.
step = ['starting']


def stuck(signum, frame):
    print('timed out after 75 s while: %s' % step[0], file=sys.stderr)
    sys.exit(3)


signal.signal(signal.SIGALRM, stuck)
signal.alarm(75)

bootstrap, topic, compression, count, base_ts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])

step[0] = 'producing'
producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all',
                         compression_type=None if compression == 'none' else compression,
                         request_timeout_ms=15000, max_block_ms=30000)
futures = [producer.send(topic, partition=0, key=b'key-%d' % i, value=b'value-%d' % i,
                         headers=[('h', b'hv-%d' % i)], timestamp_ms=base_ts + i) for i in range(count)]
acked = [f.get(timeout=30).offset for f in futures]
producer.close(timeout=30)

step[0] = 'consuming (assign, seek_to_beginning: ListOffsets earliest, then Fetch)'
consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                         auto_offset_reset='earliest', request_timeout_ms=30000)
tp = TopicPartition(topic, 0)
consumer.assign([tp])
consumer.seek_to_beginning(tp)
consumed = []
deadline = time.time() + 30
while len(consumed) < count and time.time() < deadline:
    for records in consumer.poll(timeout_ms=500).values():
        for r in records:
            step[0] = 'consuming: %d records read' % (len(consumed) + 1)
            consumed.append({'offset': r.offset, 'key': r.key.decode(), 'value': r.value.decode(),
                             'headers': [[k, v.decode()] for k, v in r.headers], 'timestamp': r.timestamp})
consumer.close()
print(json.dumps({'acked': acked, 'consumed': consumed}))
