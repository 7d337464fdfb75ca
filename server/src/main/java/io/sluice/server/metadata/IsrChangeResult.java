package io.sluice.server.metadata;

import org.apache.kafka.common.protocol.Errors;

import java.util.List;

/**
 * The controller's answer to one {@link IsrChange}: on success the partition state it committed (the new partition
 * epoch is the state znode's version), otherwise Kafka's AlterPartition error. Immutable.
 */
public record IsrChangeResult(Errors error, int leader, int leaderEpoch, List<Integer> isr, int partitionEpoch) {

    public static IsrChangeResult failed(Errors error) {
        return new IsrChangeResult(error, -1, -1, List.of(), -1);
    }
}
