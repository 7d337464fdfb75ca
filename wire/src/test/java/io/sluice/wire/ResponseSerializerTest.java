package io.sluice.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.FileRegion;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResponseSerializerTest {

    @TempDir
    Path dir;

    @Test
    void fileRecordsGoOutAsFileRegionsAndTheBytesParseAsTheSameResponse() throws IOException {
        MemoryRecords onDisk = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(1L, "k1".getBytes(), "v1".getBytes()),
                new SimpleRecord(2L, "k2".getBytes(), "v2".getBytes()));
        byte[] garbage = {9, 9, 9};
        Path segment = dir.resolve("00000000000000000000.log");
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(garbage);
        file.write(toBytes(onDisk.buffer()));
        Files.write(segment, file.toByteArray());

        FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ);
        FetchResponseData data = new FetchResponseData();
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse().setTopic("t");
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setHighWatermark(2)
                .setRecords(new FileRegionRecords(segment.toFile(), channel, garbage.length, onDisk.sizeInBytes())));
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(1).setHighWatermark(2)
                .setRecords(onDisk));
        data.responses().add(topic);

        short version = 11;
        RequestHeader requestHeader = new RequestHeader(ApiKeys.FETCH, version, "c", 5);
        List<Object> parts = ResponseSerializer.serialize(ByteBufAllocator.DEFAULT, 5,
                ApiKeys.FETCH.responseHeaderVersion(version), data, version);
        assertEquals(3, parts.size(), "buffer, file region, buffer");
        assertInstanceOf(FileRegion.class, parts.get(1));

        ByteBuffer wire = ByteBuffer.wrap(drain(parts));
        assertTrue(channel.isOpen(), "the segment's channel outlives the send");
        channel.close();
        int size = wire.getInt();
        assertEquals(wire.remaining(), size);
        FetchResponse response = (FetchResponse) AbstractResponse.parseResponse(wire, requestHeader);
        for (FetchResponseData.PartitionData partition : response.data().responses().get(0).partitions()) {
            List<String> values = new ArrayList<>();
            for (Record r : ((MemoryRecords) partition.records()).records()) {
                values.add(new String(toBytes(r.value())));
            }
            assertEquals(List.of("v1", "v2"), values, "partition " + partition.partitionIndex());
        }
    }

    private static byte[] drain(List<Object> parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WritableByteChannel channel = Channels.newChannel(out);
        for (Object part : parts) {
            if (part instanceof ByteBuf buf) {
                byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                out.write(bytes);
                buf.release();
            } else {
                FileRegion region = (FileRegion) part;
                while (region.transferred() < region.count()) {
                    region.transferTo(channel, region.transferred());
                }
                region.release();
            }
        }
        return out.toByteArray();
    }

    private static byte[] toBytes(ByteBuffer buffer) {
        ByteBuffer dup = buffer.duplicate();
        byte[] bytes = new byte[dup.remaining()];
        dup.get(bytes);
        return bytes;
    }
}
