package io.sluice.server.zk;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens the broker's Curator client. A chroot in the connect string ({@code host:port/chroot}) is
 * honoured as in Kafka: the chroot is created first if it does not exist, then the client connects
 * below it, so every path the broker uses is relative to it.
 */
public final class ZkClients {

    private ZkClients() {
    }

    /** Starts a client and waits until it is connected, at most {@code connectionTimeoutMs}. */
    public static CuratorFramework connect(String connectString, int sessionTimeoutMs, int connectionTimeoutMs)
            throws Exception {
        LazyDefaultSslContext.install();
        int slash = connectString.indexOf('/');
        if (slash >= 0) {
            String chroot = connectString.substring(slash);
            if (chroot.length() > 1) {
                createChroot(connectString.substring(0, slash), chroot, sessionTimeoutMs, connectionTimeoutMs);
            }
        }
        CuratorFramework client = newClient(connectString, sessionTimeoutMs, connectionTimeoutMs);
        awaitConnected(client, connectionTimeoutMs, connectString);
        return client;
    }

    private static CuratorFramework newClient(String connectString, int sessionTimeoutMs, int connectionTimeoutMs) {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(connectionTimeoutMs)
                .retryPolicy(new ExponentialBackoffRetry(50, 10, 1000))
                .ensembleTracker(false)
                .build();
        client.start();
        return client;
    }

    private static void awaitConnected(CuratorFramework client, int timeoutMs, String connectString) throws Exception {
        if (!client.blockUntilConnected(timeoutMs, TimeUnit.MILLISECONDS)) {
            client.close();
            throw new TimeoutException("Timed out after " + timeoutMs + " ms waiting to connect to ZooKeeper at "
                    + connectString);
        }
    }

    private static void createChroot(String hosts, String chroot, int sessionTimeoutMs, int connectionTimeoutMs)
            throws Exception {
        try (CuratorFramework client = newClient(hosts, sessionTimeoutMs, connectionTimeoutMs)) {
            awaitConnected(client, connectionTimeoutMs, hosts);
            if (client.checkExists().forPath(chroot) == null) {
                try {
                    client.create().creatingParentsIfNeeded().forPath(chroot);
                } catch (KeeperException.NodeExistsException raced) {
                    // another broker created it first
                }
            }
        }
    }
}
