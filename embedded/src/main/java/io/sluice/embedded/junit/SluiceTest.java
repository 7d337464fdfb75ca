package io.sluice.embedded.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test class against Sluice brokers started in the test's JVM ({@link io.sluice.embedded.EmbeddedSluice}).
 * Test and lifecycle methods receive the brokers as a parameter of type {@code EmbeddedSluice} or their
 * {@code bootstrap.servers} as a {@code String} parameter annotated {@link BootstrapServers}.
 *
 * <p>While the brokers run, the system properties {@code spring.kafka.bootstrap-servers} and
 * {@code spring.embedded.kafka.brokers} hold their addresses, so a Spring Boot test written for spring-kafka's
 * {@code @EmbeddedKafka} runs with {@code @SluiceTest} in its place. A Spring application context is created once
 * per test class (and cached), so such tests want the default {@link Lifecycle#PER_CLASS}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(SluiceExtension.class)
public @interface SluiceTest {

    /** How many brokers. */
    int brokers() default 1;

    /** Topics created before the first test: {@code "name"} with {@link #partitions()} partitions, or {@code "name:partitions"}. */
    String[] topics() default {};

    /** The partition count of a topic listed without one. */
    int partitions() default 1;

    /** Broker configs as {@code "key=value"}, as in {@code server.properties}. */
    String[] properties() default {};

    /** Fixed listener ports, one per broker; ports the operating system picks when empty. */
    int[] ports() default {};

    /** Whether the brokers are shared by the class's tests or started fresh for each. */
    Lifecycle lifecycle() default Lifecycle.PER_CLASS;

    enum Lifecycle {
        /** Started before the class's first test, stopped after its last. */
        PER_CLASS,
        /** Started before each test method and stopped after it, so no test sees another's data. */
        PER_METHOD
    }
}
