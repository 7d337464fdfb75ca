package io.sluice.server.zk;

import io.sluice.server.metadata.ProducerIdManager;
import io.sluice.server.zk.ZkData.ProducerIdBlock;
import org.apache.curator.framework.CuratorFramework;
import org.apache.kafka.common.KafkaException;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * {@link ProducerIdManager} as Kafka's {@code ZkProducerIdManager}: claims blocks of
 * {@value ZkData#PRODUCER_ID_BLOCK_SIZE} ids by an optimistic, versioned update of
 * {@code /latest_producer_id_block}, retried on a version conflict, and serves them from memory.
 *
 * <p>Thread-safe; claiming a block runs on the given executor, never on the caller's thread.
 */
public final class ZkProducerIdManager implements ProducerIdManager {

    private static final Logger log = LoggerFactory.getLogger(ZkProducerIdManager.class);

    private final int brokerId;
    private final CuratorFramework zk;
    private final Executor executor;
    private long nextId;
    private long blockEnd = -1;
    private CompletableFuture<Void> claiming;

    public ZkProducerIdManager(int brokerId, CuratorFramework zk, Executor executor) {
        this.brokerId = brokerId;
        this.zk = zk;
        this.executor = executor;
    }

    @Override
    public CompletableFuture<Long> nextProducerId() {
        CompletableFuture<Void> pending;
        synchronized (this) {
            if (nextId <= blockEnd) {
                return CompletableFuture.completedFuture(nextId++);
            }
            pending = claim();
        }
        return pending.thenCompose(v -> nextProducerId());
    }

    /**
     * Claims the first block in the background, so that the first idempotent producer does not wait for a
     * ZooKeeper round trip of its own (a quarter of a second on a cold JVM). Costs one block per start.
     */
    public synchronized void prefetch() {
        if (nextId > blockEnd) {
            claim();
        }
    }

    /** The claim under way, or a new one. Called holding the monitor. */
    private CompletableFuture<Void> claim() {
        if (claiming != null) {
            return claiming;
        }
        CompletableFuture<Void> claim = CompletableFuture.supplyAsync(this::claimBlock, executor)
                .thenAccept(this::install);
        claiming = claim;
        // May run at once, on this thread, when the claim is already done: hence the local.
        claim.whenComplete((v, e) -> {
            synchronized (this) {
                if (claiming == claim) {
                    claiming = null;
                }
            }
        });
        return claim;
    }

    private synchronized void install(ProducerIdBlock block) {
        nextId = block.blockStart();
        blockEnd = block.blockEnd();
    }

    private ProducerIdBlock claimBlock() {
        try {
            while (true) {
                Stat stat = new Stat();
                byte[] data;
                try {
                    data = zk.getData().storingStatIn(stat).forPath(ZkData.LATEST_PRODUCER_ID_BLOCK);
                } catch (KeeperException.NoNodeException absent) {
                    data = null;
                }
                long start = 0;
                if (data != null && data.length > 0) {
                    ProducerIdBlock previous = ZkData.decodeProducerIdBlock(data);
                    if (previous.blockEnd() > Long.MAX_VALUE - ZkData.PRODUCER_ID_BLOCK_SIZE) {
                        throw new KafkaException("Have exhausted all producerIds.");
                    }
                    start = previous.blockEnd() + 1;
                }
                ProducerIdBlock block = new ProducerIdBlock(brokerId, start, start + ZkData.PRODUCER_ID_BLOCK_SIZE - 1);
                byte[] encoded = ZkData.encodeProducerIdBlock(block);
                try {
                    if (data == null) {
                        zk.create().creatingParentsIfNeeded().forPath(ZkData.LATEST_PRODUCER_ID_BLOCK, encoded);
                    } else {
                        zk.setData().withVersion(stat.getVersion()).forPath(ZkData.LATEST_PRODUCER_ID_BLOCK, encoded);
                    }
                    log.info("Acquired producer id block {}-{}", block.blockStart(), block.blockEnd());
                    return block;
                } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException raced) {
                    // another broker claimed a block first; read again
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }
}
