package io.sluice.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A live broker, in its own JVM, takes mutated frames ({@link FrameMutator}) from many connections while a
 * well-behaved idempotent producer and a group consumer work beside them. Pass: the broker never dies and
 * logs no ERROR, the good clients see no error and every acknowledged record is consumed once and in order,
 * and a sentinel topic written before the attack is byte-identical afterwards, every batch's CRC valid by
 * Kafka's {@code kafka-dump-log --deep-iteration}. Peak heap (from the GC log) and peak RSS are printed.
 *
 * <p>The test command sends {@value #SHORT_FRAMES} frames; the long run is
 * {@code mvn -pl compat-tests test -Dtest=BrokerFuzzTest -Dfuzz.frames=1000000
 * -Djunit.jupiter.execution.timeout.default=30m} (see compat-tests/README.md).
 */
class BrokerFuzzTest {

    private static final int SHORT_FRAMES = 60_000;
    private static final int CONNECTIONS = 12;
    private static final int QUIET_MS = 100;
    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    @Test
    void mutatedFramesFromManyConnectionsHurtNeitherTheBrokerNorItsGoodClients(@TempDir Path dataDir) throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "starts Sluice's own command line");
        int frames = Integer.getInteger("fuzz.frames", SHORT_FRAMES);
        Path gcLog = dataDir.resolve("gc.log");
        try (BrokerProcess broker = BrokerProcess.start(dataDir.resolve("broker"),
                Map.of("auto.create.topics.enable", "false", "offsets.topic.replication.factor", "1"), List.of("-Xlog:gc:file=" + gcLog))) {
            String sentinel = Clients.uniqueTopic("sentinel");
            String good = Clients.uniqueTopic("good");
            String target = "fuzz-target";
            try (Admin admin = Admin.create(Clients.adminProps(broker.bootstrap()))) {
                Clients.createTopic(admin, sentinel, 1);
                Clients.createTopic(admin, good, 1);
                Clients.createTopic(admin, target, 1);
            }
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
                for (int i = 0; i < 1000; i++) {
                    producer.send(new ProducerRecord<>(sentinel, "key-" + i, "sentinel-" + i));
                }
                producer.flush();
            }
            Path sentinelDir = broker.dataDir().resolve("logs").resolve(sentinel + "-0");
            Map<String, String> before = digests(sentinelDir);

            List<ApiVersion> advertised;
            try (RawConnection connection = new RawConnection(broker.port())) {
                advertised = List.copyOf(connection.apiVersions().data().apiKeys());
            }
            List<byte[]> seeds = FrameMutator.seeds(advertised, target);

            GoodClients clients = new GoodClients(broker.bootstrap(), good);
            clients.start();
            AtomicLong sent = new AtomicLong();
            AtomicLong connects = new AtomicLong();
            AtomicLong answered = new AtomicLong();
            List<Thread> attackers = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                FrameMutator mutator = new FrameMutator(seeds, 31L * c + 7);
                int share = frames / CONNECTIONS + (c < frames % CONNECTIONS ? 1 : 0);
                Thread attacker = new Thread(() -> attack(broker.port(), mutator, share, sent, answered, connects), "fuzz-" + c);
                attacker.start();
                attackers.add(attacker);
            }
            for (Thread attacker : attackers) {
                attacker.join();
            }
            try {
                clients.stopAndVerify();
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nthe broker's warnings and errors:\n"
                        + warningLines(broker.output()), e);
            }
            assertTrue(broker.isAlive(), "the broker died");

            long peakRss = broker.peakResidentBytes();
            long[] heap = peakHeap(gcLog);
            System.out.printf("BrokerFuzzTest: %d frames sent, %d answered, over %d connections; good producer acknowledged %d records;"
                            + " broker peak heap before GC %d MB, peak after GC %d MB, peak RSS %d MB%n", sent.get(), answered.get(),
                    connects.get(), clients.acknowledged(), heap[0], heap[1], peakRss >> 20);
            assertEquals(frames, sent.get());
            assertEquals(before, digests(sentinelDir), "the sentinel topic's files changed");
            String dump = KafkaTools.run("org.apache.kafka.tools.DumpLogSegments", "--deep-iteration", "--files",
                    sentinelDir.resolve("00000000000000000000.log").toString()).assertSuccess("kafka-dump-log").stdout();
            assertFalse(dump.contains("isValid: false"), dump);
            assertEquals(1000, dump.lines().filter(line -> line.contains("| offset: ")).count(), dump);
            String output = broker.output();
            // kept for reading the stack traces of a failure
            Files.writeString(Path.of("target", "BrokerFuzzTest-broker.log"), output);
            assertFalse(output.contains(" ERROR "), "the broker logged an error (whole log in"
                    + " target/BrokerFuzzTest-broker.log):\n" + errorLines(output));
            assertFalse(output.contains("OutOfMemoryError"), output);
        }
    }

    /**
     * Sends {@code frames} mutated frames, one at a time so that each reaches a live connection: after each, waits
     * for the answer (and sends the next on the same connection), for the broker to close the connection (and opens
     * a new one), or {@value #QUIET_MS} ms (a frame that is answered by nothing, such as one whose size prefix
     * claims more than was sent: then it closes the connection itself and opens a new one).
     */
    private static void attack(int port, FrameMutator mutator, int frames, AtomicLong sent, AtomicLong answered,
                               AtomicLong connects) {
        int done = 0;
        while (done < frames) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                connects.incrementAndGet();
                socket.setSoTimeout(QUIET_MS);
                socket.setTcpNoDelay(true);
                OutputStream out = socket.getOutputStream();
                DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
                while (done < frames) {
                    byte[] frame = mutator.next();
                    out.write(frame);
                    done++;
                    sent.incrementAndGet();
                    in.skipNBytes(in.readInt());
                    answered.incrementAndGet();
                }
            } catch (IOException e) {
                // closed by the broker after a bad frame, or quiet: open a new connection
            }
        }
    }

    /** An idempotent producer and a group consumer on one topic, recording every error either sees. */
    private static final class GoodClients {
        private final String bootstrap;
        private final String topic;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicBoolean producerDone = new AtomicBoolean();
        private final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        private final AtomicLong acknowledged = new AtomicLong();
        private final List<String> consumed = new ArrayList<>();
        private Thread producer;
        private Thread consumer;

        GoodClients(String bootstrap, String topic) {
            this.bootstrap = bootstrap;
            this.topic = topic;
        }

        void start() {
            producer = new Thread(this::produce, "good-producer");
            consumer = new Thread(this::consume, "good-consumer");
            producer.start();
            consumer.start();
        }

        long acknowledged() {
            return acknowledged.get();
        }

        private void produce() {
            try (KafkaProducer<String, String> producer = Clients.producer(bootstrap,
                    Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5))) {
                long i = 0;
                while (running.get()) {
                    producer.send(new ProducerRecord<>(topic, "k", Long.toString(i++)), (metadata, e) -> {
                        if (e != null) {
                            errors.add(e);
                        } else {
                            acknowledged.incrementAndGet();
                        }
                    });
                    if (i % 100 == 0) {
                        producer.flush();
                        // paced, so that the good clients do not take the CPU the attack needs
                        Thread.sleep(5);
                    }
                }
                producer.flush();
            } catch (RuntimeException e) {
                errors.add(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                producerDone.set(true);
            }
        }

        private void consume() {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "good-consumers");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                long deadline = Long.MAX_VALUE;
                while (!producerDone.get() || consumed.size() < acknowledged.get() && System.nanoTime() < deadline) {
                    if (producerDone.get() && deadline == Long.MAX_VALUE) {
                        deadline = System.nanoTime() + Clients.DEADLINE.toNanos();
                    }
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                        consumed.add(record.value());
                    }
                    consumer.commitSync();
                }
            } catch (RuntimeException e) {
                errors.add(e);
            }
        }

        void stopAndVerify() throws InterruptedException {
            running.set(false);
            producer.join(TimeUnit.SECONDS.toMillis(60));
            consumer.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(errors.isEmpty(), "the good clients saw errors: " + errors);
            assertTrue(acknowledged.get() > 0, "nothing was acknowledged");
            assertEquals(acknowledged.get(), consumed.size(), "consumed a different number of records than acknowledged");
            for (int i = 0; i < consumed.size(); i++) {
                assertEquals(Integer.toString(i), consumed.get(i), "record " + i + " out of order or duplicated");
            }
        }
    }

    private static Map<String, String> digests(Path dir) throws Exception {
        Map<String, String> digests = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                digests.put(file.getFileName().toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
            }
        }
        return digests;
    }

    /** The largest heap use before and after a collection in the GC log, in MB. */
    private static long[] peakHeap(Path gcLog) throws IOException {
        long[] peak = new long[2];
        if (!Files.exists(gcLog)) {
            return peak;
        }
        for (String line : Files.readAllLines(gcLog)) {
            Matcher matcher = GC_LINE.matcher(line);
            if (matcher.find()) {
                peak[0] = Math.max(peak[0], Long.parseLong(matcher.group(1)));
                peak[1] = Math.max(peak[1], Long.parseLong(matcher.group(2)));
            }
        }
        return peak;
    }

    private static String warningLines(String output) {
        return String.join("\n", output.lines().filter(line -> line.contains(" ERROR ") || line.contains(" WARN "))
                .limit(40).toList());
    }

    private static String errorLines(String output) {
        return String.join("\n", output.lines().filter(line -> line.contains(" ERROR ")).limit(20).toList());
    }
}
