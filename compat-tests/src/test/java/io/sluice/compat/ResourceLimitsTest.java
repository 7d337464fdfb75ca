package io.sluice.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Clients that try to make the broker hold memory for them: one that pipelines requests and never reads
 * the responses, many that claim 100 MB requests and send a byte at a time, many that connect and say
 * nothing, and requests that fill {@code queued.max.request.bytes}. Each runs against a broker in its own
 * JVM; a well-behaved producer and consumer keep working beside it, and the broker's resident memory
 * grows by a bounded amount (measured from {@code /proc}, against the same broker before the attack).
 */
class ResourceLimitsTest {

    /** Kafka 4.3 grows by about 18 MB under the first attack; the unbounded queue grew by about 1 GB. */
    private static final long MAX_GROWTH = 96L << 20;
    /** How long a held fetch waits for data that never comes: long enough to see the broker not reading. */
    private static final int HELD_FETCH_WAIT_MS = 5_000;

    @Test
    void aClientThatNeverReadsItsResponsesIsStoppedNotBuffered(@TempDir Path dataDir) throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "measures Sluice's own process");
        try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
            String topic = healthyClientsWork(broker, null);
            // twenty topics with long names make each Metadata response about 5 KB
            try (Admin admin = Admin.create(Clients.adminProps(broker.bootstrap()))) {
                for (int i = 0; i < 20; i++) {
                    Clients.createTopic(admin, Clients.uniqueTopic("t".repeat(200)), 1);
                }
            }
            long before = broker.residentBytes();

            byte[] metadata = frame(MetadataRequest.Builder.allTopics().build((short) 12), 0);
            try (Socket attacker = smallWindowSocket(broker.port())) {
                OutputStream out = attacker.getOutputStream();
                AtomicLong sent = new AtomicLong();
                Thread writer = new Thread(() -> {
                    try {
                        for (int i = 0; i < 60_000; i++) {
                            out.write(metadata);
                            sent.incrementAndGet();
                        }
                    } catch (IOException e) {
                        // the socket is closed at the end of the test while this thread is blocked writing
                    }
                }, "non-reading-client");
                writer.setDaemon(true);
                writer.start();
                awaitNoProgress(sent);

                long growth = broker.residentBytes() - before;
                report("non-reading client", growth);
                assertTrue(growth < MAX_GROWTH, "the broker's RSS grew by " + (growth >> 20) + " MB while a client that"
                        + " does not read had " + sent.get() + " requests sent");
                healthyClientsWork(broker, topic);
            }
            assertTrue(broker.isAlive());
            healthyClientsWork(broker, topic);
            assertFalse(broker.output().contains("OutOfMemoryError"), broker.output());
        }
    }

    @Test
    void slowClientsClaimingHugeRequestsHoldOnlyWhatTheySent(@TempDir Path dataDir) throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "measures Sluice's own process; Kafka allocates each claim");
        try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
            String topic = healthyClientsWork(broker, null);
            long before = broker.residentBytes();
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 200; i++) {
                    Socket socket = new Socket("127.0.0.1", broker.port());
                    slow.add(socket);
                    // 100 MB, just under socket.request.max.bytes, then the first bytes of a header
                    socket.getOutputStream().write(ByteBuffer.allocate(7).putInt(100 * 1000 * 1000)
                            .putShort((short) 0).put((byte) 9).array());
                }
                for (int second = 0; second < 3; second++) {
                    for (Socket socket : slow) {
                        socket.getOutputStream().write(0);
                    }
                    Thread.sleep(1000);
                }
                long growth = broker.residentBytes() - before;
                report("200 slow clients claiming 100 MB", growth);
                assertTrue(growth < MAX_GROWTH, "200 clients claiming 100 MB each grew the broker's RSS by "
                        + (growth >> 20) + " MB");
                healthyClientsWork(broker, topic);
            } finally {
                for (Socket socket : slow) {
                    socket.close();
                }
            }
            assertTrue(broker.isAlive());
        }
    }

    @Test
    void thousandsOfIdleConnectionsCostLittleAndAreClosedAfterConnectionsMaxIdleMs(@TempDir Path dataDir)
            throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "measures Sluice's own process");
        try (BrokerProcess broker = BrokerProcess.start(dataDir, Map.of("connections.max.idle.ms", "5000"))) {
            String topic = healthyClientsWork(broker, null);
            long before = broker.residentBytes();
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 3000; i++) {
                    idle.add(new Socket("127.0.0.1", broker.port()));
                }
                healthyClientsWork(broker, topic);
                long growth = broker.residentBytes() - before;
                report("3000 idle connections", growth);
                assertTrue(growth < MAX_GROWTH, "3000 idle connections grew the broker's RSS by " + (growth >> 20) + " MB");
                // every idle connection is closed by the broker: a read sees end of stream
                for (Socket socket : idle) {
                    socket.setSoTimeout((int) Clients.DEADLINE.toMillis());
                    assertEquals(-1, socket.getInputStream().read(), "an idle connection was not closed");
                }
            } finally {
                for (Socket socket : idle) {
                    socket.close();
                }
            }
            assertTrue(broker.isAlive());
        }
    }

    /**
     * With {@code queued.max.request.bytes} full of held requests (fetches waiting in purgatory, each padded to
     * 900 KB), or {@code queued.max.requests} reached by them, the broker reads nothing more from any connection
     * until they are answered: a new connection's ApiVersions is answered after the first fetch, not before.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "queued.max.request.bytes=2000000,socket.request.max.bytes=1000000|900000",
            "queued.max.requests=2|0",
    })
    void aFullRequestBudgetStopsReadingUntilHeldRequestsAreAnswered(String settings, int padding,
                                                                    @TempDir Path dataDir) throws Exception {
        assumeFalse(SluiceCluster.againstApacheKafka(), "Kafka's memory pool is only used with this setting on a"
                + " dedicated test; this runs Sluice's command line");
        Map<String, String> overrides = new HashMap<>();
        for (String setting : settings.split(",")) {
            String[] keyValue = setting.split("=");
            overrides.put(keyValue[0], keyValue[1]);
        }
        try (BrokerProcess broker = BrokerProcess.start(dataDir, overrides)) {
            String topic = healthyClientsWork(broker, null);
            // at the log end offset (one record was produced): the fetch waits for 1 MB that never comes
            FetchRequestData.FetchTopic fetchTopic = new FetchRequestData.FetchTopic().setTopic(topic);
            fetchTopic.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(1)
                    .setPartitionMaxBytes(1 << 20));
            FetchRequestData fetch = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(HELD_FETCH_WAIT_MS)
                    .setMinBytes(1 << 20).setMaxBytes(1 << 20).setIsolationLevel((byte) 0);
            fetch.topics().add(fetchTopic);
            byte[] heldFetch = frame(new FetchRequest(fetch, (short) 12), padding);

            List<Socket> holders = new ArrayList<>();
            List<Thread> readers = new ArrayList<>();
            boolean[] fetchAnswered = new boolean[4];
            int outputSeen = broker.output().length();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket socket = new Socket("127.0.0.1", broker.port());
                    socket.setSoTimeout((int) Clients.DEADLINE.toMillis());
                    holders.add(socket);
                    int holder = i;
                    Thread reader = new Thread(() -> {
                        try {
                            // written here: once the budget is full the broker stops reading, and a 900 KB write
                            // may then wait for the first answers
                            socket.getOutputStream().write(heldFetch);
                            DataInputStream in = new DataInputStream(socket.getInputStream());
                            in.readFully(new byte[in.readInt()]);
                            fetchAnswered[holder] = true;
                        } catch (IOException e) {
                            fetchAnswered[holder] = false;
                        }
                    }, "held-fetch-" + i);
                    reader.start();
                    readers.add(reader);
                }
                // the broker says when it stops reading; only then is the budget known to be full
                awaitOutput(broker, outputSeen, "No new requests are read until the broker is back under its request budget");
                try (RawConnection late = new RawConnection(broker.port())) {
                    late.writeFrame(apiVersionsPayload());
                    // the held fetches wait HELD_FETCH_WAIT_MS from when they were read, so they are still held
                    late.assertNoAnswerWithin(Duration.ofSeconds(1), "a new connection was read while " + settings
                            + " was exceeded by held fetches");
                    late.readFrame();
                }
                for (Thread reader : readers) {
                    reader.join(Clients.DEADLINE.toMillis());
                }
                for (boolean answered : fetchAnswered) {
                    assertTrue(answered, "a held fetch was not answered");
                }
            } finally {
                for (Socket socket : holders) {
                    socket.close();
                }
            }
            healthyClientsWork(broker, topic);
        }
    }

    /**
     * Waits until the broker prints {@code line} after the first {@code from} characters of its output (the
     * healthy clients before may have filled a small budget for a moment), failing after {@link Clients#DEADLINE}.
     */
    private static void awaitOutput(BrokerProcess broker, int from, String line) throws InterruptedException {
        long deadline = System.nanoTime() + Clients.DEADLINE.toNanos();
        while (broker.output().indexOf(line, from) < 0) {
            assertTrue(System.nanoTime() < deadline, "the broker did not print \"" + line + "\":\n" + broker.output());
            Thread.sleep(50);
        }
    }

    private static void report(String attack, long growth) {
        System.out.printf("ResourceLimitsTest: %s: broker RSS grew by %d MB%n", attack, growth >> 20);
    }

    /** Produces and consumes on {@code topic} (created first when null) with unmodified clients; returns it. */
    private static String healthyClientsWork(BrokerProcess broker, String topic) throws Exception {
        if (topic == null) {
            topic = Clients.uniqueTopic("healthy");
            try (Admin admin = Admin.create(Clients.adminProps(broker.bootstrap()))) {
                Clients.createTopic(admin, topic, 1);
            }
        }
        long offset;
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrap())) {
            offset = producer.send(new ProducerRecord<>(topic, 0, "k", "still served")).get(30, TimeUnit.SECONDS).offset();
        }
        List<ConsumerRecord<String, String>> records = Clients.consume(broker.bootstrap(), new TopicPartition(topic, 0),
                offset, 1);
        assertEquals("still served", records.get(0).value());
        return topic;
    }

    private static byte[] apiVersionsPayload() {
        return payload(new org.apache.kafka.common.requests.ApiVersionsRequest.Builder().build((short) 3), 0);
    }

    /** A request with its header, size-prefixed, followed by {@code padding} zero bytes (ignored by the broker). */
    private static byte[] frame(AbstractRequest request, int padding) {
        byte[] payload = payload(request, padding);
        return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
    }

    private static byte[] payload(AbstractRequest request, int padding) {
        ByteBuffer bytes = request.serializeWithHeader(new RequestHeader(request.apiKey(), request.version(),
                "resource-limits", 1));
        byte[] payload = new byte[bytes.remaining() + padding];
        bytes.get(payload, 0, bytes.remaining());
        return payload;
    }

    /** A connection whose receive window is small, so that the broker's writes back up quickly. */
    private static Socket smallWindowSocket(int port) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        return socket;
    }

    /** Waits until {@code counter} stops moving for two seconds, or the deadline passes. */
    private static void awaitNoProgress(AtomicLong counter) throws InterruptedException {
        long deadline = System.nanoTime() + Clients.DEADLINE.toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            long now = counter.get();
            if (now == last) {
                return;
            }
            last = now;
            Thread.sleep(2000);
        }
    }
}
