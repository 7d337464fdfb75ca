package io.sluice.server;

import io.netty.channel.epoll.Epoll;
import io.sluice.server.zk.LazyDefaultSslContext;
import org.apache.kafka.common.protocol.ApiKeys;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One-time initialisations that a broker's startup would otherwise meet one after another on its critical
 * path, begun on daemon threads as the process starts so that they overlap with reading the config,
 * starting ZooKeeper and loading the logs. The steps initialise classes, so a step still running when its
 * result is needed makes that caller wait for the class initialisation, as it would have without the
 * warm-up; the one effect beyond that is the JVM's default {@code SSLContext} (see {@link LazyDefaultSslContext}).
 *
 * <ul>
 *   <li>ZooKeeper's {@code X509Util}: every ZooKeeper client (and so Curator) initialises it, and with it the
 *       JDK's TLS stack, even for a plain connection: about half a second on two cores, the largest single
 *       step of startup (less the trust store, which {@link LazyDefaultSslContext} defers).</li>
 *   <li>the logging backend (finding the slf4j provider scans the class path, the date format loads locale
 *       data), the protocol schemas of every API ({@code ApiKeys}) and Netty's native epoll transport.</li>
 * </ul>
 *
 * <p>Thread-safe: {@link #begin()} starts the threads once per process and returns at once.
 */
final class StartupWarmUp {

    private static final AtomicBoolean BEGUN = new AtomicBoolean();
    private static final CountDownLatch LOGGING_READY = new CountDownLatch(1);

    private StartupWarmUp() {
    }

    static void begin() {
        if (!BEGUN.compareAndSet(false, true)) {
            return;
        }
        // The logging backend first, and nothing else touches slf4j until it is ready: a logger asked for while
        // slf4j initialises is a stand-in whose events are replayed later, with a warning on every start.
        daemon("sluice-warmup-zk", () -> {
            try {
                LoggerFactory.getILoggerFactory();
            } finally {
                LOGGING_READY.countDown();
            }
            LazyDefaultSslContext.install();
            initialise("org.apache.zookeeper.common.X509Util");
            initialise("org.apache.curator.framework.imps.CuratorFrameworkImpl");
        });
        daemon("sluice-warmup", () -> {
            try {
                awaitLogging();
            } catch (InterruptedException e) {
                return;
            }
            ApiKeys.values();
            Epoll.isAvailable();
        });
    }

    /** Waits until the logging backend is initialised (at once when {@link #begin()} was never called). */
    static void awaitLogging() throws InterruptedException {
        if (BEGUN.get()) {
            LOGGING_READY.await();
        }
    }

    private static void initialise(String className) {
        try {
            Class.forName(className, true, StartupWarmUp.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            // not on the class path: the step it would have sped up does not happen either
        }
    }

    private static void daemon(String name, Runnable work) {
        Thread thread = new Thread(() -> {
            try {
                work.run();
            } catch (RuntimeException | LinkageError e) {
                // only a warm-up: whoever needs the class next initialises it and reports the error
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }
}
