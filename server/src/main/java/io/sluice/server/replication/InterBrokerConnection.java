package io.sluice.server.replication;

import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

/**
 * One blocking connection from this broker to another, speaking Kafka's framing with kafka-clients' request and
 * response classes (the same codecs the broker serves with). It connects lazily, and reconnects when asked for
 * another address (the other broker restarted on a new port); any I/O error closes it, and the next request
 * connects again. Requests of one connection are sent one at a time.
 *
 * <p>Not thread-safe: owned by one fetcher or sender thread.
 */
final class InterBrokerConnection implements AutoCloseable {

    private final String clientId;
    private final int socketTimeoutMs;
    private volatile Socket socket;
    private DataInputStream in;
    private DataOutputStream out;
    private String host;
    private int port;
    private int nextCorrelationId;

    InterBrokerConnection(String clientId, int socketTimeoutMs) {
        this.clientId = clientId;
        this.socketTimeoutMs = socketTimeoutMs;
    }

    /** Sends {@code request} to {@code host:port} and waits for its response, at most the socket timeout. */
    <R extends AbstractResponse> R send(String host, int port, AbstractRequest request, Class<R> responseType)
            throws IOException {
        connect(host, port);
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), clientId, nextCorrelationId++);
        try {
            ByteBuffer bytes = request.serializeWithHeader(header);
            out.writeInt(bytes.remaining());
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            out.flush();
            int size = in.readInt();
            if (size < 0) {
                throw new IOException("negative response size " + size + " from " + host + ":" + port);
            }
            byte[] payload = new byte[size];
            in.readFully(payload);
            return responseType.cast(AbstractResponse.parseResponse(ByteBuffer.wrap(payload), header));
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? io : new IOException("bad response from " + host + ":" + port, e);
        }
    }

    private void connect(String host, int port) throws IOException {
        if (socket != null && (!host.equals(this.host) || port != this.port)) {
            close();
        }
        if (socket != null) {
            return;
        }
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(socketTimeoutMs);
            s.connect(new InetSocketAddress(host, port), socketTimeoutMs);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
        in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
        out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 * 1024));
        this.host = host;
        this.port = port;
    }

    /**
     * Stops the thread that owns {@code connection}: closing the socket ends a request it waits on; waits up to 5 s
     * for it to finish. The owner has already been told to stop (and woken from any pause). It is not interrupted:
     * an interrupt during a log append would close the segment's channel and take the log offline.
     */
    static void stopOwner(Thread owner, InterBrokerConnection connection) {
        connection.close();
        try {
            owner.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
