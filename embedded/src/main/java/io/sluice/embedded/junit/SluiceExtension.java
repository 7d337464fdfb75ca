package io.sluice.embedded.junit;

import io.sluice.embedded.EmbeddedSluice;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.HashMap;
import java.util.Map;

/**
 * Starts the brokers a {@link SluiceTest} class asks for, before its tests (or before each test), and stops them
 * after; resolves {@code EmbeddedSluice} and {@link BootstrapServers} parameters; sets the Spring Boot properties
 * that point spring-kafka at the brokers while they run and restores what was there before.
 *
 * <p>The running brokers are kept in the JUnit context of the class or of the method, so parallel test classes
 * each get their own; the Spring properties are JVM-wide, as they are for {@code @EmbeddedKafka}.
 */
public final class SluiceExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {

    /** The properties spring-kafka's auto-configuration and {@code @EmbeddedKafka} tests read. */
    static final String[] SPRING_PROPERTIES = {"spring.kafka.bootstrap-servers", "spring.embedded.kafka.brokers"};

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SluiceExtension.class);
    private static final String RUNNING = "running";

    @Override
    public void beforeAll(ExtensionContext context) {
        if (settings(context).lifecycle() == SluiceTest.Lifecycle.PER_CLASS) {
            start(context);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (settings(context).lifecycle() == SluiceTest.Lifecycle.PER_METHOD) {
            start(context);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (settings(context).lifecycle() == SluiceTest.Lifecycle.PER_METHOD) {
            stop(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (settings(context).lifecycle() == SluiceTest.Lifecycle.PER_CLASS) {
            stop(context);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == EmbeddedSluice.class
                || (type == String.class && parameter.isAnnotated(BootstrapServers.class));
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Running running = context.getStore(NAMESPACE).get(RUNNING, Running.class);
        if (running == null) {
            throw new ParameterResolutionException("No Sluice brokers run for " + parameter.getDeclaringExecutable()
                    + ": with @SluiceTest(lifecycle = PER_METHOD) they start after @BeforeAll methods");
        }
        return parameter.getParameter().getType() == EmbeddedSluice.class
                ? running.sluice : running.sluice.bootstrapServers();
    }

    private static void start(ExtensionContext context) {
        if (context.getStore(NAMESPACE).get(RUNNING, Running.class) != null) {
            return; // a @Nested class shares the brokers of its enclosing class
        }
        SluiceTest settings = settings(context);
        EmbeddedSluice.Builder builder = EmbeddedSluice.builder().brokers(settings.brokers()).ports(settings.ports());
        for (String property : settings.properties()) {
            int equals = property.indexOf('=');
            if (equals <= 0) {
                throw new ExtensionConfigurationException("@SluiceTest property is not key=value: " + property);
            }
            builder.property(property.substring(0, equals).trim(), property.substring(equals + 1).trim());
        }
        for (String topic : settings.topics()) {
            int colon = topic.lastIndexOf(':');
            if (colon < 0) {
                builder.topic(topic, settings.partitions());
            } else {
                builder.topic(topic.substring(0, colon), partitions(topic.substring(colon + 1), topic));
            }
        }
        context.getStore(NAMESPACE).put(RUNNING, new Running(builder.start()));
    }

    private static int partitions(String count, String topic) {
        try {
            return Integer.parseInt(count);
        } catch (NumberFormatException e) {
            throw new ExtensionConfigurationException("@SluiceTest topic is not name:partitions: " + topic);
        }
    }

    private static void stop(ExtensionContext context) {
        Running running = context.getStore(NAMESPACE).remove(RUNNING, Running.class);
        if (running != null) {
            running.close();
        }
    }

    private static SluiceTest settings(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        for (Class<?> type = testClass; type != null; type = type.getEnclosingClass()) {
            SluiceTest settings = type.getAnnotation(SluiceTest.class);
            if (settings != null) {
                return settings;
            }
        }
        throw new ExtensionConfigurationException(testClass + " uses SluiceExtension without @SluiceTest");
    }

    /** Running brokers and the Spring properties they replaced; closed by JUnit too if a test run is aborted. */
    private static final class Running implements ExtensionContext.Store.CloseableResource {

        private final EmbeddedSluice sluice;
        private final Map<String, String> replaced = new HashMap<>();

        Running(EmbeddedSluice sluice) {
            this.sluice = sluice;
            for (String property : SPRING_PROPERTIES) {
                replaced.put(property, System.setProperty(property, sluice.bootstrapServers()));
            }
        }

        @Override
        public void close() {
            for (String property : SPRING_PROPERTIES) {
                String previous = replaced.get(property);
                if (previous == null) {
                    System.clearProperty(property);
                } else {
                    System.setProperty(property, previous);
                }
            }
            sluice.close();
        }
    }
}
