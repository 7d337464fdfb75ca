/**
 * Incremental fetch sessions (KIP-227), as Kafka's {@code FetchSession.scala}: the
 * {@link io.sluice.server.fetch.FetchSessionCache} of sessions with their epochs and cached partitions,
 * its eviction rules, and the {@link io.sluice.server.fetch.FetchContext} a Fetch request is served
 * under (sessionless, full, incremental, or a session error).
 *
 * <p>Part of the Fetch API's handling, so it uses kafka-clients' request and response types
 * ({@code FetchRequest.PartitionData}, {@code FetchResponseData.PartitionData}, {@code FetchMetadata}).
 * Knows nothing of logs: the handler reads the partitions a context lists and gives it the results.
 */
package io.sluice.server.fetch;
