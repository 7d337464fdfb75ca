package io.sluice.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end latency at a fixed rate, finer than Kafka's {@code EndToEndLatency} (which sends one
 * record at a time and prints whole milliseconds).
 *
 * <p>One producer thread sends {@code --rate} records per second, each scheduled at
 * {@code start + i / rate}; its value starts with the {@link System#nanoTime()} at {@code send} and
 * the scheduled time. One consumer in the same JVM (so the clocks are the same clock), assigned to
 * partition 0 from the end, records {@code receive - send} in an HdrHistogram. Records sent in the
 * first {@code --warmup-seconds} are not recorded. A second histogram measures from the scheduled
 * time, so a broker that makes the producer fall behind is not excused by coordinated omission.
 *
 * <p>Prints one parsable line, all latencies in microseconds:
 * <pre>
 * RESULT sent=100000 received=100000 rate=5000.0 p50_us=812 p99_us=1530 p999_us=4100 max_us=9000 sched_p99_us=1600
 * </pre>
 *
 * <pre>
 * java -cp $(bench/classpath.sh) io.sluice.bench.EndToEndLatency --bootstrap-server 127.0.0.1:9092 \
 *     --topic latency --rate 5000 --record-size 1024 --seconds 20 --warmup-seconds 5 [--producer-prop k=v ...]
 * </pre>
 * The producer uses acks=all and linger.ms=0 unless overridden; the consumer uses client defaults.
 */
public final class EndToEndLatency {

    private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int HEADER_BYTES = 2 * Long.BYTES;

    private EndToEndLatency() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        createTopic(args);
        TopicPartition tp = new TopicPartition(args.topic, 0);
        Histogram fromSend = new Histogram(MAX_LATENCY_NANOS, 3);
        Histogram fromSchedule = new Histogram(MAX_LATENCY_NANOS, 3);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(args));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(args))) {
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp, Duration.ofSeconds(30)); // resolve "latest" before the first send

            long rateIntervalNanos = TimeUnit.SECONDS.toNanos(1) / args.rate;
            long warmupRecords = (long) args.rate * args.warmupSeconds;
            long total = (long) args.rate * (args.warmupSeconds + args.seconds);
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            long measuredFrom = start + warmupRecords * rateIntervalNanos;
            AtomicLong sendFinishedAt = new AtomicLong();
            Thread sender = new Thread(() -> sendFinishedAt.set(send(producer, args, total, start, rateIntervalNanos)),
                    "sender");
            sender.start();

            long deadline = Long.MAX_VALUE;
            long count = 0;
            while (count < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    ByteBuffer value = ByteBuffer.wrap(record.value());
                    long sentAt = value.getLong();
                    long scheduledAt = value.getLong();
                    count++;
                    if (scheduledAt >= measuredFrom) {
                        fromSend.recordValue(Math.min(now - sentAt, MAX_LATENCY_NANOS));
                        fromSchedule.recordValue(Math.min(now - scheduledAt, MAX_LATENCY_NANOS));
                    }
                }
                if (deadline == Long.MAX_VALUE && !sender.isAlive()) {
                    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // then give up on the rest
                }
            }
            sender.join();
            double seconds = (sendFinishedAt.get() - start) / 1e9;
            System.out.printf("RESULT sent=%d received=%d rate=%.1f p50_us=%d p99_us=%d p999_us=%d max_us=%d"
                            + " sched_p50_us=%d sched_p99_us=%d sched_p999_us=%d%n",
                    total, count, total / seconds,
                    micros(fromSend, 50), micros(fromSend, 99), micros(fromSend, 99.9), fromSend.getMaxValue() / 1000,
                    micros(fromSchedule, 50), micros(fromSchedule, 99), micros(fromSchedule, 99.9));
            if (count < total) {
                System.exit(2);
            }
        }
    }

    /** Sends {@code total} records on schedule and returns when the last was acknowledged. */
    private static long send(KafkaProducer<byte[], byte[]> producer, Args args, long total, long start,
                             long intervalNanos) {
        for (long i = 0; i < total; i++) {
            long scheduledAt = start + i * intervalNanos;
            long now;
            while ((now = System.nanoTime()) < scheduledAt) {
                LockSupport.parkNanos(scheduledAt - now);
            }
            byte[] value = new byte[args.recordSize];
            ByteBuffer.wrap(value).putLong(now).putLong(scheduledAt);
            producer.send(new ProducerRecord<>(args.topic, 0, null, value), (metadata, e) -> {
                if (e != null) {
                    System.err.println("send failed: " + e);
                }
            });
        }
        producer.flush();
        return System.nanoTime();
    }

    private static long micros(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000;
    }

    private static void createTopic(Args args) throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args.bootstrap))) {
            admin.createTopics(List.of(new NewTopic(args.topic, 1, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + args.topic, e.getCause());
            }
        }
    }

    private static Properties producerProps(Args args) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(args.producerProps);
        return p;
    }

    private static Properties consumerProps(Args args) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args.bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private record Args(String bootstrap, String topic, int rate, int recordSize, int seconds, int warmupSeconds,
                        Properties producerProps) {

        static Args parse(String[] argv) {
            String bootstrap = null;
            String topic = "latency";
            int rate = 5000;
            int recordSize = 1024;
            int seconds = 20;
            int warmup = 5;
            Properties producerProps = new Properties();
            for (int i = 0; i < argv.length; i++) {
                String value = i + 1 < argv.length ? argv[i + 1] : null;
                switch (argv[i]) {
                    case "--bootstrap-server" -> bootstrap = value;
                    case "--topic" -> topic = value;
                    case "--rate" -> rate = Integer.parseInt(value);
                    case "--record-size" -> recordSize = Integer.parseInt(value);
                    case "--seconds" -> seconds = Integer.parseInt(value);
                    case "--warmup-seconds" -> warmup = Integer.parseInt(value);
                    case "--producer-prop" -> {
                        String[] kv = value.split("=", 2);
                        producerProps.put(kv[0], kv[1]);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + argv[i]);
                }
                i++;
            }
            if (bootstrap == null || rate <= 0 || recordSize < HEADER_BYTES) {
                throw new IllegalArgumentException("usage: --bootstrap-server host:port [--topic t] [--rate n]"
                        + " [--record-size n>=16] [--seconds n] [--warmup-seconds n] [--producer-prop k=v]");
            }
            return new Args(bootstrap, topic, rate, recordSize, seconds, warmup, producerProps);
        }
    }
}
