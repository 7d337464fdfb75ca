/**
 * Bytes to typed Kafka requests and typed responses back to bytes.
 *
 * <p>Owns framing ({@link io.sluice.wire.FrameDecoder}), header and body parsing with kafka-clients'
 * generated {@code *Data} classes ({@link io.sluice.wire.RequestParser}), response serialization with
 * zero-copy file regions ({@link io.sluice.wire.ResponseSerializer}) and the advertised API ranges
 * ({@link io.sluice.wire.ApiVersionTable}). May import Netty and kafka-clients' protocol packages;
 * knows nothing of the log, ZooKeeper or broker state.
 */
package io.sluice.wire;
