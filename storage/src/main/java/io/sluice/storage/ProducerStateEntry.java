package io.sluice.storage;

/**
 * A snapshot of one active producer's state for DescribeProducers, Kafka's {@code ProducerStateEntry} fields.
 *
 * @param producerId            the producer id
 * @param producerEpoch         its current epoch
 * @param lastSequence          last sequence number appended
 * @param lastTimestamp         max timestamp of its last batch
 * @param coordinatorEpoch      epoch of the transaction coordinator that wrote its last marker, -1 if none
 * @param currentTxnStartOffset first offset of its ongoing transaction, -1 if none
 */
public record ProducerStateEntry(long producerId, short producerEpoch, int lastSequence, long lastTimestamp,
                                 int coordinatorEpoch, long currentTxnStartOffset) {
}
