package io.sluice.storage.checkpoint;

import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Kafka's offset checkpoint files at the root of a log dir ({@code recovery-point-offset-checkpoint},
 * {@code log-start-offset-checkpoint}, {@code replication-offset-checkpoint}):
 * <pre>
 * 0                      version
 * 2                      number of entries
 * my-topic 0 42          topic partition offset
 * my-topic 1 17
 * </pre>
 * Thread-safety: none; the log manager serializes writes per file.
 */
public final class OffsetCheckpointFile {
    public static final String RECOVERY_POINT = "recovery-point-offset-checkpoint";
    public static final String LOG_START_OFFSET = "log-start-offset-checkpoint";
    public static final String REPLICATION_OFFSET = "replication-offset-checkpoint";
    private static final int VERSION = 0;

    private final Path file;

    public OffsetCheckpointFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void write(Map<TopicPartition, Long> offsets) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(VERSION).append('\n').append(offsets.size()).append('\n');
        offsets.forEach((tp, offset) ->
                sb.append(tp.topic()).append(' ').append(tp.partition()).append(' ').append(offset).append('\n'));
        AtomicFiles.write(file, sb.toString());
    }

    /** The entries, or an empty map when the file does not exist. Malformed content is an {@link IOException}. */
    public Map<TopicPartition, Long> read() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        try {
            if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != VERSION) {
                throw new IOException("Unrecognized version or truncated checkpoint file " + file);
            }
            int count = Integer.parseInt(lines.get(1).trim());
            if (lines.size() < 2 + count) {
                throw new IOException("Expected " + count + " entries in checkpoint file " + file);
            }
            Map<TopicPartition, Long> result = new HashMap<>();
            for (int i = 0; i < count; i++) {
                String[] parts = lines.get(2 + i).trim().split("\\s+");
                if (parts.length != 3) {
                    throw new IOException("Malformed line '" + lines.get(2 + i) + "' in checkpoint file " + file);
                }
                result.put(new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]));
            }
            return result;
        } catch (NumberFormatException e) {
            throw new IOException("Malformed checkpoint file " + file + ": " + e.getMessage(), e);
        }
    }
}
