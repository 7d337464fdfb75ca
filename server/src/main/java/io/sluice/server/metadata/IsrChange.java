package io.sluice.server.metadata;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

import java.util.List;
import java.util.Map;

/**
 * A leader's request to the controller to commit a new ISR for one partition (one partition of Kafka's
 * AlterPartition), fenced by the leader epoch and partition epoch the leader acted on. Immutable.
 *
 * @param brokerEpochs the broker epoch each ISR member last fetched with (-1 when unknown), so the controller can
 *                     refuse a member that restarted since (KIP-903)
 */
public record IsrChange(TopicPartition topicPartition, Uuid topicId, int leaderEpoch, int partitionEpoch,
                        List<Integer> newIsr, Map<Integer, Long> brokerEpochs) {
}
