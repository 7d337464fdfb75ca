/**
 * Sluice's partition log on disk, in Apache Kafka's format byte for byte (Kafka's {@code kafka-dump-log} reads it).
 * The public API is {@link io.sluice.storage.LogManager} (the log dirs, checkpoints, retention scheduling) and
 * {@link io.sluice.storage.PartitionLog} (one partition: append, read, offsets, DeleteRecords, retention) with the
 * records they return. Sub-packages are internal: {@code log} (segments, indexes, validation, recovery),
 * {@code producer} (idempotent producer state), {@code checkpoint} (small metadata files).
 *
 * <p>May import kafka-clients (record batches, codecs, errors, {@code Time}) and slf4j; never Netty, ZooKeeper or
 * Curator. Errors are kafka-clients {@code ApiException}s so the server maps them with {@code Errors.forException};
 * I/O failures surface as {@code KafkaStorageException}.
 */
package io.sluice.storage;
