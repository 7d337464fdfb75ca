# python3-confluent-kafka (librdkafka): produce COUNT records with COMPRESSION to partition 0 of TOPIC,
# then read them back with an assign-mode consumer (no group management: the group.id librdkafka
# requires is never joined, and nothing is committed). Prints one JSON object on stdout.
#   python3 confluent_roundtrip.py BOOTSTRAP TOPIC COMPRESSION COUNT BASE_TIMESTAMP_MS
import json
import signal
import sys
import time

from confluent_kafka import Consumer, OFFSET_BEGINNING, Producer, TopicPartition

# A client stuck on a broker that does not answer fails the run in 75 s, saying where it was stuck.
step = ['starting']


def stuck(signum, frame):
    print('timed out after 75 s while: %s' % step[0], file=sys.stderr)
    sys.exit(3)


signal.signal(signal.SIGALRM, stuck)
signal.alarm(75)

bootstrap, topic, compression, count, base_ts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])

errors = []
acked = {}


def on_delivery(err, msg):
    if err is not None:
        errors.append(str(err))
    else:
        acked[msg.key().decode()] = msg.offset()


step[0] = 'producing'
producer = Producer({'bootstrap.servers': bootstrap, 'compression.type': compression, 'linger.ms': 20,
                     'message.timeout.ms': 30000})
for i in range(count):
    producer.produce(topic, partition=0, key=b'key-%d' % i, value=(b'value-%d ' % i) * 10,
                     headers=[('h', b'hv-%d' % i)], timestamp=base_ts + i, on_delivery=on_delivery)
left = producer.flush(30)
if left or errors:
    print('produce failed: %d not delivered, errors %s' % (left, errors[:5]), file=sys.stderr)
    sys.exit(1)

step[0] = 'consuming (assign at OFFSET_BEGINNING: ListOffsets earliest, then Fetch)'
consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'compat-assign-only',
                     'enable.auto.commit': False, 'enable.auto.offset.store': False})
consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
consumed = []
deadline = time.time() + 30
while len(consumed) < count and time.time() < deadline:
    msg = consumer.poll(0.5)
    if msg is None:
        continue
    if msg.error():
        print('consume error: %s' % msg.error(), file=sys.stderr)
        continue
    consumed.append({'offset': msg.offset(), 'key': msg.key().decode(), 'value': msg.value().decode(),
                     'headers': [[k, v.decode()] for k, v in (msg.headers() or [])],
                     'timestamp': msg.timestamp()[1]})
consumer.close()
print(json.dumps({'acked': [acked.get('key-%d' % i) for i in range(count)], 'consumed': consumed}))
