package io.sluice.storage.checkpoint;

import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Kafka's {@code partition.metadata} in a partition dir, holding the topic id (base64, as {@code Uuid.toString}):
 * <pre>
 * version: 0
 * topic_id: 5dE9mQ1pQyq5x0kGz8wF0A
 * </pre>
 */
public final class PartitionMetadataFile {
    public static final String FILE_NAME = "partition.metadata";

    private PartitionMetadataFile() {
    }

    public static void write(Path partitionDir, Uuid topicId) throws IOException {
        AtomicFiles.write(partitionDir.resolve(FILE_NAME), "version: 0\ntopic_id: " + topicId + "\n");
    }

    /** The topic id, or empty when the file does not exist. */
    public static Optional<Uuid> read(Path partitionDir) throws IOException {
        Path file = partitionDir.resolve(FILE_NAME);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (lines.size() < 2 || !lines.get(0).trim().equals("version: 0") || !lines.get(1).startsWith("topic_id: ")) {
            throw new IOException("Malformed partition metadata file " + file + ": " + lines);
        }
        try {
            return Optional.of(Uuid.fromString(lines.get(1).substring("topic_id: ".length()).trim()));
        } catch (IllegalArgumentException e) {
            throw new IOException("Malformed topic id in " + file, e);
        }
    }
}
