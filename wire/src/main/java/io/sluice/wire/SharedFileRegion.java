package io.sluice.wire;

import io.netty.channel.DefaultFileRegion;

import java.nio.channels.FileChannel;

/**
 * A {@link DefaultFileRegion} over a channel that someone else owns (a log segment). Being a
 * {@code DefaultFileRegion} keeps Netty's native epoll transport on its sendfile path; not closing the
 * channel on release is the only difference. Not thread-safe, like any region: one send uses it.
 */
final class SharedFileRegion extends DefaultFileRegion {

    SharedFileRegion(FileChannel channel, long position, long count) {
        super(channel, position, count);
    }

    @Override
    protected void deallocate() {
        // The segment owns the channel and closes it when the segment is deleted.
    }
}
