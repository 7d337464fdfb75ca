/**
 * One {@link io.sluice.server.api.ApiHandler} per Kafka API key, each declaring the versions it serves:
 * the registry of handlers is the ApiVersions response. Handlers authorize, validate, delegate to the
 * partition, metadata, controller, config or group layers, and build the response; they hold no domain
 * state and never block an event loop.
 */
package io.sluice.server.api;
