/**
 * The JUnit 5 extension: {@link io.sluice.embedded.junit.SluiceTest} on a test class starts Sluice brokers for it
 * and injects their address. Depends on JUnit's API only (the caller's), never on its engine.
 */
package io.sluice.embedded.junit;
