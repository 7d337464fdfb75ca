package io.sluice.server.metadata;

import org.apache.kafka.common.Uuid;

import java.util.Map;
import java.util.SortedMap;

/**
 * One topic: id, partitions by index, and its config overrides from {@code /config/topics/<topic>}
 * (only the keys set on the topic; defaults come from the broker). Immutable.
 */
public record TopicMetadata(String name, Uuid topicId, SortedMap<Integer, PartitionState> partitions,
                            Map<String, String> configOverrides, boolean markedForDeletion) {

    public boolean isInternal() {
        return name.startsWith("__");
    }
}
