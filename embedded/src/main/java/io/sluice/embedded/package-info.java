/**
 * Sluice inside a test's JVM: {@link io.sluice.embedded.EmbeddedSluice} starts one broker or a cluster on loopback
 * with a temporary data directory, for tests that want Kafka without a separate process. Builds on the server module's
 * {@code Broker} only.
 */
package io.sluice.embedded;
