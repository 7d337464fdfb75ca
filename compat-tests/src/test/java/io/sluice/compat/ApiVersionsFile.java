package io.sluice.compat;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code compat-tests/api-versions.txt}: the ApiVersions table Sluice advertises, checked in so that a
 * kafka-clients upgrade or a new handler changes it in review, and the explained differences from
 * Apache Kafka 4.3's table. Lines:
 *
 * <pre>
 *   api &lt;key&gt; &lt;NAME&gt; &lt;min&gt; &lt;max&gt;                      an advertised range
 *   supported-feature &lt;name&gt; &lt;min&gt; &lt;max&gt;               a supported feature range
 *   finalized-feature &lt;name&gt; &lt;min&gt; &lt;max&gt;               a finalized feature level range
 *   kafka &lt;entry&gt; : &lt;why&gt;                               Kafka 4.3 differs on entry (rendered as
 *                                                    {@link #differences} renders it), because why
 * </pre>
 *
 * Everything after {@code #} is a comment. Immutable once read.
 */
final class ApiVersionsFile {

    static final Path PATH = Path.of("api-versions.txt");

    /** The table lines ({@code api}, {@code *-feature}), in file order. */
    final List<String> table;
    /** Explained differences from Kafka 4.3: the difference as rendered, to its explanation. */
    final Map<String, String> explained;

    private ApiVersionsFile(List<String> table, Map<String, String> explained) {
        this.table = table;
        this.explained = explained;
    }

    static ApiVersionsFile read() throws IOException {
        List<String> table = new ArrayList<>();
        Map<String, String> explained = new LinkedHashMap<>();
        for (String raw : Files.readAllLines(PATH)) {
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip().replaceAll("\\s+", " ");
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("kafka ")) {
                int colon = line.indexOf(" : ");
                if (colon < 0 || line.substring(colon + 3).isBlank()) {
                    throw new IllegalStateException(PATH + ": a difference needs ' : <why>': " + raw);
                }
                explained.put(line.substring("kafka ".length(), colon), line.substring(colon + 3));
            } else {
                table.add(line);
            }
        }
        return new ApiVersionsFile(table, explained);
    }

    /** The table lines of one ApiVersions response, in the order the file keeps them. */
    static List<String> render(ApiVersionsResponseData response) {
        List<String> lines = new ArrayList<>();
        response.apiKeys().stream()
                .sorted((a, b) -> Short.compare(a.apiKey(), b.apiKey()))
                .forEach(v -> lines.add("api " + v.apiKey() + " " + name(v.apiKey()) + " " + v.minVersion() + " "
                        + v.maxVersion()));
        response.supportedFeatures().stream()
                .sorted((a, b) -> a.name().compareTo(b.name()))
                .forEach(f -> lines.add("supported-feature " + f.name() + " " + f.minVersion() + " " + f.maxVersion()));
        response.finalizedFeatures().stream()
                .sorted((a, b) -> a.name().compareTo(b.name()))
                .forEach(f -> lines.add("finalized-feature " + f.name() + " " + f.minVersionLevel() + " "
                        + f.maxVersionLevel()));
        return lines;
    }

    /**
     * Every way {@code kafka}'s table lines differ from {@code ours}, one entry each: {@code <entry>
     * absent} when Sluice lacks it, {@code <entry> <kafka's range>} when the ranges differ, {@code <entry>
     * only-in-sluice} when Kafka lacks it. An entry is {@code api <key> <NAME>} or {@code <kind>-feature <name>}.
     */
    static List<String> differences(List<String> ours, List<String> kafka) {
        Map<String, String> mine = byEntry(ours);
        Map<String, String> theirs = byEntry(kafka);
        List<String> differences = new ArrayList<>();
        theirs.forEach((entry, range) -> {
            String own = mine.get(entry);
            if (own == null) {
                differences.add(entry + " " + range + " absent");
            } else if (!own.equals(range)) {
                differences.add(entry + " " + range + " sluice " + own);
            }
        });
        mine.keySet().stream().filter(e -> !theirs.containsKey(e)).forEach(e -> differences.add(e + " only-in-sluice"));
        return differences;
    }

    /** Table lines by entry ({@code api 0 PRODUCE}) to range ({@code 0-13}), sorted for stable output. */
    private static Map<String, String> byEntry(List<String> lines) {
        Map<String, String> map = new TreeMap<>();
        for (String line : lines) {
            String[] words = line.split(" ");
            int n = words.length;
            map.put(String.join(" ", List.of(words).subList(0, n - 2)), words[n - 2] + "-" + words[n - 1]);
        }
        return map;
    }

    private static String name(short apiKey) {
        return ApiKeys.hasId(apiKey) ? ApiKeys.forId(apiKey).name() : "UNKNOWN";
    }
}
