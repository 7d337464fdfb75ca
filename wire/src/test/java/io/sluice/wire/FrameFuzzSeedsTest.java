package io.sluice.wire;

import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the checked-in seed corpus of {@link FrameFuzzTest} equal to what {@link FrameFuzzSeeds}
 * generates, so that a kafka-clients upgrade that adds APIs or versions is not left unfuzzed.
 * With {@code -Dsluice.fuzz.writeSeeds=true} it rewrites the corpus first.
 */
class FrameFuzzSeedsTest {

    @BeforeAll
    static void regenerateWhenAsked() throws IOException {
        if (Boolean.getBoolean("sluice.fuzz.writeSeeds")) {
            FrameFuzzSeeds.write(FrameFuzzSeeds.CORPUS);
        }
    }

    @Test
    void checkedInCorpusIsTheGeneratedOne() throws IOException {
        SortedMap<String, byte[]> expected = FrameFuzzSeeds.generate();
        List<String> onDisk;
        try (var files = Files.list(FrameFuzzSeeds.CORPUS)) {
            onDisk = files.filter(file -> !FrameFuzzSeeds.isFinding(file))
                    .map(file -> file.getFileName().toString()).sorted().collect(Collectors.toList());
        }
        assertEquals(List.copyOf(expected.keySet()), onDisk, "seed files differ from FrameFuzzSeeds; regenerate: "
                + "mvn -o -pl wire test -Dtest=FrameFuzzSeedsTest -Dsluice.fuzz.writeSeeds=true");
        for (Map.Entry<String, byte[]> seed : expected.entrySet()) {
            assertArrayEquals(seed.getValue(), Files.readAllBytes(FrameFuzzSeeds.CORPUS.resolve(seed.getKey())),
                    seed.getKey() + " differs from FrameFuzzSeeds; regenerate it");
        }
    }

    @Test
    void everyApiKeyAndVersionHasASeed() {
        SortedMap<String, byte[]> seeds = FrameFuzzSeeds.generate();
        long perVersion = seeds.keySet().stream().filter(name -> name.matches("[a-z-]+-v\\d\\d")).count();
        long expected = Arrays.stream(ApiKeys.values()).filter(ApiKeys::hasValidVersion)
                .mapToLong(key -> key.latestVersion() - key.oldestVersion() + 1).sum();
        assertEquals(expected, perVersion);
    }

    @Test
    void corpusStaysSmall() throws IOException {
        long bytes;
        try (var files = Files.list(FrameFuzzSeeds.CORPUS)) {
            bytes = files.mapToLong(FrameFuzzSeedsTest::size).sum();
        }
        assertTrue(bytes < 256 * 1024, "seed corpus is " + bytes + " bytes");
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
