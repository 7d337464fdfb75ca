package io.sluice.server.api;

import io.sluice.server.metadata.ProducerIdManager;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * InitProducerId v0-6 for idempotent producers, as Kafka's {@code TransactionCoordinator.handleInitProducerId}
 * with no transactional id: always a new producer id with epoch 0, whatever id and epoch the request
 * carries (KIP-360 bumps only apply to transactional ids).
 *
 * <p>A transactional id is answered COORDINATOR_NOT_AVAILABLE until the transaction coordinator exists:
 * what Kafka answers while {@code __transaction_state} is unavailable; the producer retries and times
 * out in {@code max.block.ms}. When no producer id block can be claimed (ZooKeeper unreachable) the answer
 * is COORDINATOR_LOAD_IN_PROGRESS, retriable, as Kafka's producer id manager answers.
 */
public final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequest> {

    private static final Logger log = LoggerFactory.getLogger(InitProducerIdHandler.class);

    private final ProducerIdManager producerIds;

    public InitProducerIdHandler(ProducerIdManager producerIds) {
        this.producerIds = producerIds;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    /**
     * v6 (KIP-939, keeping prepared transactions) is gated by a transaction feature level that Kafka 4.3
     * does not finalize by default, so Kafka advertises 0-5; so do we.
     */
    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, InitProducerIdRequest request) {
        if (request.data().transactionalId() != null) {
            return CompletableFuture.completedFuture(error(Errors.COORDINATOR_NOT_AVAILABLE));
        }
        return producerIds.nextProducerId().handle((producerId, failure) -> {
            if (failure == null) {
                return new InitProducerIdResponseData().setErrorCode(Errors.NONE.code())
                        .setProducerId(producerId).setProducerEpoch((short) 0);
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof ApiException) {
                return error(Errors.forException(cause));
            }
            log.warn("Cannot allocate a producer id for client {}", context.clientId(), cause);
            return error(Errors.forException(new CoordinatorLoadInProgressException("no producer id block available")));
        });
    }

    private static InitProducerIdResponseData error(Errors error) {
        return new InitProducerIdResponseData().setErrorCode(error.code()).setProducerId(-1L).setProducerEpoch((short) -1);
    }
}
