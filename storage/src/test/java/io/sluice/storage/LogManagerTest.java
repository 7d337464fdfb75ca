package io.sluice.storage;

import io.sluice.storage.checkpoint.MetaProperties;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

import static io.sluice.storage.LogTestContext.START_MS;
import static io.sluice.storage.LogTestContext.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogManagerTest {
    @TempDir
    Path dir;

    @Test
    void partitionsSpreadOverLogDirsAndReload() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        ManualTime time = new ManualTime(START_MS);
        Uuid topicId = Uuid.randomUuid();
        LogManager manager = new LogManager(List.of(a, b), time);
        manager.startup();
        manager.writeMetaProperties(3, "cluster-xyz");
        PartitionLog p0 = manager.getOrCreate(new TopicPartition("my-topic-with-dashes", 0), topicId, LogConfig.defaults());
        PartitionLog p1 = manager.getOrCreate(new TopicPartition("my-topic-with-dashes", 1), topicId, LogConfig.defaults());
        assertNotEquals(p0.dir().getParent(), p1.dir().getParent());
        assertSame(p0, manager.getOrCreate(new TopicPartition("my-topic-with-dashes", 0), topicId, LogConfig.defaults()));
        assertThrows(InconsistentTopicIdException.class,
                () -> manager.getOrCreate(new TopicPartition("my-topic-with-dashes", 0), Uuid.randomUuid(), LogConfig.defaults()));
        p1.appendAsLeader(batch(Compression.NONE, START_MS, 4), 0);
        manager.close();

        Properties props = new Properties();
        try (var in = Files.newBufferedReader(a.resolve("meta.properties"))) {
            props.load(in);
        }
        assertEquals("0", props.getProperty("version"));
        assertEquals("3", props.getProperty("broker.id"));
        assertEquals("cluster-xyz", props.getProperty("cluster.id"));

        LogManager again = new LogManager(List.of(a, b), time);
        again.startup();
        assertEquals(Optional.of(new MetaProperties(3, "cluster-xyz")), again.readMetaProperties());
        assertEquals(2, again.all().size());
        PartitionLog reloaded = again.get(new TopicPartition("my-topic-with-dashes", 1)).orElseThrow();
        assertEquals(4, reloaded.logEndOffset());
        assertEquals(topicId, reloaded.topicId());

        TopicPartition deleted = new TopicPartition("my-topic-with-dashes", 0);
        Path deletedDir = again.get(deleted).orElseThrow().dir();
        again.delete(deleted);
        assertFalse(Files.exists(deletedDir));
        assertTrue(again.get(deleted).isEmpty());
        again.close();
        try (Stream<Path> s = Files.list(a)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("my-topic-with-dashes-0")));
        }
    }

    @Test
    void parsesPartitionDirNames() {
        assertEquals(Optional.of(new TopicPartition("a-b", 12)), LogManager.parseTopicPartition("a-b-12"));
        assertEquals(Optional.empty(), LogManager.parseTopicPartition("a-b.0123abc-delete"));
        assertEquals(Optional.empty(), LogManager.parseTopicPartition("lost+found"));
    }

    /** The partitions of a new topic are created side by side (ReplicaManager does): each once, spread evenly. */
    @Test
    void concurrentCreationsMakeEachLogOnceAndSpreadThem() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        LogManager manager = new LogManager(List.of(a, b), new ManualTime(START_MS));
        manager.startup();
        Uuid topicId = Uuid.randomUuid();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<PartitionLog>> created = new java.util.ArrayList<>();
            for (int round = 0; round < 2; round++) { // every partition asked for twice, concurrently
                for (int p = 0; p < 50; p++) {
                    TopicPartition tp = new TopicPartition("__consumer_offsets", p);
                    created.add(pool.submit(() -> manager.getOrCreate(tp, topicId, LogConfig.defaults())));
                }
            }
            for (int p = 0; p < 50; p++) {
                assertSame(created.get(p).get(), created.get(p + 50).get(), "one log per partition");
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(50, manager.all().size());
        try (Stream<Path> inA = Files.list(a).filter(Files::isDirectory);
             Stream<Path> inB = Files.list(b).filter(Files::isDirectory)) {
            assertEquals(List.of(25L, 25L), List.of(inA.count(), inB.count()));
        }
        manager.close();
    }
}
