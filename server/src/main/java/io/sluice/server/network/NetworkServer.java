package io.sluice.server.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.server.api.HandlerRegistry;
import io.sluice.server.metadata.Listener;
import io.sluice.wire.FrameDecoder;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Binds the broker's listeners and runs one pipeline per connection: receive throttle, idle timer, frame
 * decoder, request dispatcher. Native epoll when the platform has it, NIO otherwise. All connections
 * share one {@link RequestBudget}.
 *
 * <p>Lifecycle: {@link #bind} once, then {@link #close}. Thread-safe after binding.
 */
public final class NetworkServer implements AutoCloseable {

    /**
     * Bytes of responses a connection may have waiting in its outbound buffer before the dispatcher stops
     * starting its requests. Netty's default marks; named here because the dispatcher's back-pressure
     * depends on them. Zero-copy file regions count as nothing, as they hold no memory.
     */
    static final int WRITE_BUFFER_LOW_WATER_MARK = 32 * 1024;
    static final int WRITE_BUFFER_HIGH_WATER_MARK = 64 * 1024;

    /**
     * @param queuedMaxRequestBytes {@code queued.max.request.bytes}, resolved by {@link RequestBudget#resolveMaxBytes}
     */
    public record Settings(int socketRequestMaxBytes, long connectionsMaxIdleMs, int numNetworkThreads,
                           int queuedMaxRequests, long queuedMaxRequestBytes) {
    }

    private final HandlerRegistry registry;
    private final Settings settings;
    private final RequestBudget budget;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Class<? extends ServerChannel> channelClass;
    private final List<Channel> serverChannels = new ArrayList<>();
    private final List<Listener> boundListeners = new ArrayList<>();

    public NetworkServer(HandlerRegistry registry, Settings settings) {
        this.registry = registry;
        this.settings = settings;
        this.budget = new RequestBudget(RequestBudget.resolveMaxBytes(settings.queuedMaxRequestBytes()),
                settings.queuedMaxRequests());
        if (Epoll.isAvailable()) {
            bossGroup = new EpollEventLoopGroup(1, new DefaultThreadFactory("sluice-acceptor", true));
            workerGroup = new EpollEventLoopGroup(settings.numNetworkThreads(), new DefaultThreadFactory("sluice-network", true));
            channelClass = EpollServerSocketChannel.class;
        } else {
            bossGroup = new NioEventLoopGroup(1, new DefaultThreadFactory("sluice-acceptor", true));
            workerGroup = new NioEventLoopGroup(settings.numNetworkThreads(), new DefaultThreadFactory("sluice-network", true));
            channelClass = NioServerSocketChannel.class;
        }
    }

    /** Binds every listener; port 0 picks a free port. Returns the listeners with their bound ports. */
    public synchronized List<Listener> bind(List<Listener> listeners) throws InterruptedException {
        for (Listener listener : listeners) {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(bossGroup, workerGroup)
                    .channel(channelClass)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                            new WriteBufferWaterMark(WRITE_BUFFER_LOW_WATER_MARK, WRITE_BUFFER_HIGH_WATER_MARK))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ReceiveThrottle throttle = new ReceiveThrottle(budget);
                            ch.pipeline()
                                    .addLast("throttle", throttle)
                                    .addLast("idle", new IdleStateHandler(0, 0, settings.connectionsMaxIdleMs(),
                                            TimeUnit.MILLISECONDS))
                                    .addLast("frames", new FrameDecoder(settings.socketRequestMaxBytes()))
                                    .addLast("requests", new RequestDispatcher(registry, listener.name(), budget, throttle));
                        }
                    });
            InetSocketAddress address = listener.host().isEmpty()
                    ? new InetSocketAddress(listener.port())
                    : new InetSocketAddress(listener.host(), listener.port());
            Channel channel = bootstrap.bind(address).sync().channel();
            serverChannels.add(channel);
            boundListeners.add(listener.withPort(((InetSocketAddress) channel.localAddress()).getPort()));
        }
        return List.copyOf(boundListeners);
    }

    public synchronized List<Listener> boundListeners() {
        return List.copyOf(boundListeners);
    }

    @Override
    public synchronized void close() {
        for (Channel channel : serverChannels) {
            channel.close().syncUninterruptibly();
        }
        serverChannels.clear();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
