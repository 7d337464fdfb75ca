package io.sluice.storage.checkpoint;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code meta.properties} at the root of a log dir, in Kafka's ZooKeeper-mode layout (version 0):
 * <pre>
 * version=0
 * broker.id=1
 * cluster.id=...
 * </pre>
 */
public record MetaProperties(int brokerId, String clusterId) {
    public static final String FILE_NAME = "meta.properties";

    public void write(Path logDir) throws IOException {
        Properties props = new Properties();
        props.setProperty("version", "0");
        props.setProperty("broker.id", Integer.toString(brokerId));
        props.setProperty("cluster.id", clusterId);
        StringWriter out = new StringWriter();
        props.store(out, "");
        AtomicFiles.write(logDir.resolve(FILE_NAME), out.toString());
    }

    /** The properties of {@code logDir}, or empty when it has none. */
    public static Optional<MetaProperties> read(Path logDir) throws IOException {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(logDir.resolve(FILE_NAME), StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String version = props.getProperty("version");
        String brokerId = props.getProperty("broker.id");
        String clusterId = props.getProperty("cluster.id");
        if (!"0".equals(version) || brokerId == null || clusterId == null) {
            throw new IOException("Unsupported meta.properties in " + logDir + ": " + props);
        }
        try {
            return Optional.of(new MetaProperties(Integer.parseInt(brokerId.trim()), clusterId.trim()));
        } catch (NumberFormatException e) {
            throw new IOException("Invalid broker.id in " + logDir.resolve(FILE_NAME), e);
        }
    }
}
