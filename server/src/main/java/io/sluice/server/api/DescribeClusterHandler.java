package io.sluice.server.api;

import io.sluice.server.metadata.BrokerRegistration;
import io.sluice.server.metadata.MetadataCache;
import io.sluice.server.metadata.MetadataImage;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;

import java.util.concurrent.CompletableFuture;

/**
 * DescribeCluster (v0-2): the live brokers with their endpoint on the request's listener, cluster id and
 * controller id. A broker serves the BROKER endpoint type only (v1+): asking it for controllers is
 * UNSUPPORTED_ENDPOINT_TYPE, as Kafka's {@code AuthHelper.computeDescribeClusterResponse}. No broker is
 * fenced in ZooKeeper mode, so {@code is_fenced} (v2) is always false.
 */
public final class DescribeClusterHandler implements ApiHandler<DescribeClusterRequest> {

    private static final byte BROKER_ENDPOINT = 1;
    private static final byte CONTROLLER_ENDPOINT = 2;

    private final MetadataCache cache;

    public DescribeClusterHandler(MetadataCache cache) {
        this.cache = cache;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLUSTER;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeClusterRequest request) {
        DescribeClusterRequestData data = request.data();
        DescribeClusterResponseData response = new DescribeClusterResponseData().setEndpointType(BROKER_ENDPOINT);
        if (data.endpointType() != BROKER_ENDPOINT) {
            if (data.endpointType() == CONTROLLER_ENDPOINT) {
                response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code()).setErrorMessage(
                        "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER");
            } else {
                response.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Unsupported endpoint type " + data.endpointType());
            }
            return CompletableFuture.completedFuture(response);
        }
        MetadataImage image = cache.image();
        DescribeClusterResponseData.DescribeClusterBrokerCollection brokers =
                new DescribeClusterResponseData.DescribeClusterBrokerCollection();
        for (BrokerRegistration broker : image.brokers().values()) {
            broker.endpoint(context.listenerName()).ifPresent(endpoint -> brokers.add(new DescribeClusterBroker()
                    .setBrokerId(broker.id()).setHost(endpoint.host()).setPort(endpoint.port())
                    .setRack(broker.rack()).setIsFenced(false)));
        }
        response.setErrorCode(Errors.NONE.code()).setClusterId(image.clusterId()).setControllerId(image.controllerId())
                .setBrokers(brokers);
        if (data.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(AdminErrors.ALL_CLUSTER_OPERATIONS);
        }
        return CompletableFuture.completedFuture(response);
    }
}
