/**
 * Connections: Netty listeners and the per-connection pipeline (idle timer, frame decoder, request
 * dispatcher). Owns request ordering per connection and the mapping of failures to error responses or
 * closed connections; knows nothing of topics, logs or groups.
 */
package io.sluice.server.network;
