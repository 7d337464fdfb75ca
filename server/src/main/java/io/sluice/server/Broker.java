package io.sluice.server;

import io.sluice.server.api.ApiHandler;
import io.sluice.server.api.ApiVersionsHandler;
import io.sluice.server.api.HandlerRegistry;
import io.sluice.server.config.BrokerConfig;
import io.sluice.server.config.Listener;
import io.sluice.server.network.NetworkServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One Sluice broker: wires config, ZooKeeper, metadata, logs, handlers and network, starts them in
 * dependency order and stops them in reverse.
 *
 * <p>Lifecycle: {@link #startup()} once, then {@link #close()}. Thread-safe for those two calls.
 */
public final class Broker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    private final BrokerConfig config;
    private final List<AutoCloseable> started = new ArrayList<>();
    private volatile List<Listener> boundListeners = List.of();

    public Broker(BrokerConfig config) {
        this.config = config;
    }

    public synchronized void startup() throws Exception {
        long start = System.nanoTime();
        try {
            AtomicReference<HandlerRegistry> registry = new AtomicReference<>();
            List<ApiHandler<?>> handlers = new ArrayList<>();
            handlers.add(new ApiVersionsHandler(() -> registry.get().apiVersionTable()));
            registry.set(new HandlerRegistry(handlers));

            NetworkServer network = new NetworkServer(registry.get(), new NetworkServer.Settings(
                    config.socketRequestMaxBytes(), config.connectionsMaxIdleMs(), config.numNetworkThreads()));
            started.add(network);
            boundListeners = network.bind(config.listeners());
        } catch (Exception | Error e) {
            close();
            throw e;
        }
        log.info("Sluice broker {} started in {} ms, listening on {}", config.brokerId(),
                (System.nanoTime() - start) / 1_000_000, boundListeners);
    }

    public BrokerConfig config() {
        return config;
    }

    /** The listeners with the ports actually bound (port 0 resolved). */
    public List<Listener> boundListeners() {
        return boundListeners;
    }

    /** The port of the first listener, for tests and tools. */
    public int port() {
        return boundListeners.get(0).port();
    }

    @Override
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                log.warn("Error while stopping {}", started.get(i).getClass().getSimpleName(), e);
            }
        }
        started.clear();
    }
}
