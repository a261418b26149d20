package dev.cllm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import dev.cllm.Device;
import dev.cllm.decode.ArDecoder;
import dev.cllm.engine.NativeModel;
import dev.cllm.engine.NativeSession;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.RandomWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrajectoryCollectorTest {
    private static final LlamaConfig CONFIG = LlamaConfig.of(48, 96, 2, 4, 2, 67, 256, false);

    @Test
    void fixedPointsAreTheGreedyOutputAndStatesAreRecorded() {
        try (NativeModel model = NativeModel.load(RandomWeights.create(CONFIG, 21), Device.cpu());
                NativeSession session = model.newSession(256)) {
            int[] prompt = {5, 17, 3, 44, 9};
            int[] greedy = new ArDecoder(40).decode(session, prompt, -1, null).tokens();
            List<TrajectoryRecord> records = new TrajectoryCollector(
                            session, new TrajectoryCollector.Settings(16, 40, -1, 7))
                    .collect(3, prompt, new int[] {1, 2});
            assertEquals(3, records.size(), "40 tokens in blocks of 16: 16 + 16 + 8");
            int offset = 0;
            for (TrajectoryRecord r : records) {
                assertEquals(3, r.dataId());
                int n = r.teacherOutputIds().length;
                assertArrayEquals(
                        Arrays.copyOfRange(greedy, offset, offset + n), r.teacherOutputIds(), "block " + r.blockId());
                assertArrayEquals(r.teacherOutputIds(), r.fixedPoint());
                assertEquals(prompt.length + offset, r.promptIds().length, "prompt grows by the earlier fixed points");
                for (int t : r.trajectoryIds()[0]) {
                    assertTrue(
                            Arrays.stream(prompt).anyMatch(p -> p == t), "initial guesses are drawn from the prompt");
                }
                assertTrue(r.trajectoryIds().length >= 2 && r.trajectoryIds().length <= n + 1);
                assertArrayEquals(new int[] {1, 2}, r.labelsIds());
                offset += n;
            }
        }
    }

    @Test
    void endOfSequenceEndsThePrompt() {
        try (NativeModel model = NativeModel.load(RandomWeights.create(CONFIG, 22), Device.cpu());
                NativeSession session = model.newSession(256)) {
            int[] prompt = {1, 2, 3};
            int[] greedy = new ArDecoder(40).decode(session, prompt, -1, null).tokens();
            int eos = greedy[20];
            int first = 0;
            while (greedy[first] != eos) first++;
            List<TrajectoryRecord> records = new TrajectoryCollector(
                            session, new TrajectoryCollector.Settings(8, 40, eos, 1))
                    .collect(0, prompt, null);
            int total =
                    records.stream().mapToInt(r -> r.teacherOutputIds().length).sum();
            assertEquals(first + 1, total, "output stops right after the end-of-sequence token");
            int[] last = records.get(records.size() - 1).teacherOutputIds();
            assertEquals(eos, last[last.length - 1]);
        }
    }

    @Test
    void cleanerDropsRepetitionAndAugmentsTowardTheFixedPoint() {
        TrajectoryCleaner cleaner = new TrajectoryCleaner(10, 1);
        int[] repeated = new int[12];
        Arrays.fill(repeated, 4);
        assertTrue(cleaner.isDegenerate(
                new TrajectoryRecord(0, 0, new int[] {1}, new int[][] {repeated}, repeated, null)));
        // Six repeats at the end of the prompt and four in the output also make ten in a row.
        int[] prompt = {1, 4, 4, 4, 4, 4, 4};
        int[] out = {4, 4, 4, 4, 9};
        assertTrue(cleaner.isDegenerate(new TrajectoryRecord(0, 0, prompt, new int[][] {out}, out, null)));
        int[] fine = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        assertFalse(cleaner.isDegenerate(new TrajectoryRecord(0, 0, prompt, new int[][] {fine}, fine, null)));

        int[] fixed = new int[40];
        for (int i = 0; i < 40; i++) fixed[i] = i;
        int[] start = new int[40];
        Arrays.fill(start, 99);
        TrajectoryCleaner.Augmented a =
                cleaner.augment(new TrajectoryRecord(0, 0, prompt, new int[][] {start, fixed}, fixed, null));
        int[] augmented = a.record().trajectoryIds()[0];
        assertEquals(99, augmented[0], "the first wrong token stays wrong");
        long fixedCount = java.util.stream.IntStream.range(1, 40)
                .filter(i -> augmented[i] == fixed[i])
                .count();
        assertEquals(a.tokensChanged(), fixedCount);
        assertTrue(fixedCount > 8 && fixedCount < 31, "about half of 39 wrong tokens: " + fixedCount);
        assertArrayEquals(fixed, a.record().fixedPoint(), "the fixed point is untouched");
    }

    @Test
    void augmentationIsSeededByTheRecordNotByTheRecordsBeforeIt() {
        TrajectoryCleaner cleaner = new TrajectoryCleaner(10, 3);
        int[] fixed = new int[40];
        for (int i = 0; i < 40; i++) fixed[i] = i;
        int[] start = new int[40];
        Arrays.fill(start, 99);
        TrajectoryRecord first = new TrajectoryRecord(7, 2, new int[] {1}, new int[][] {start, fixed}, fixed, null);
        String once = cleaner.augment(first).record().toJson().toString();
        cleaner.augment(new TrajectoryRecord(8, 0, new int[] {1}, new int[][] {start, fixed}, fixed, null));
        assertEquals(
                once, cleaner.augment(first).record().toJson().toString(), "the same record, the same augmentation");
        assertEquals(
                once,
                new TrajectoryCleaner(10, 3).augment(first).record().toJson().toString(),
                "in a fresh cleaner too");
        int[] other = cleaner.augment(
                        new TrajectoryRecord(8, 2, new int[] {1}, new int[][] {start, fixed}, fixed, null))
                .record()
                .trajectoryIds()[0];
        assertFalse(
                Arrays.equals(cleaner.augment(first).record().trajectoryIds()[0], other),
                "another prompt, other tokens");
    }

    @Test
    void shardsMergeResumeAndGzip(@TempDir Path dir) throws IOException {
        try (NativeModel model = NativeModel.load(RandomWeights.create(CONFIG, 23), Device.cpu());
                NativeSession session = model.newSession(256)) {
            List<TrajectoryJob.Prompt> prompts = new ArrayList<>();
            for (int i = 0; i < 6; i++) prompts.add(new TrajectoryJob.Prompt(i, new int[] {i + 1, 2 * i + 3, 7}, null));
            TrajectoryCollector.Settings c = new TrajectoryCollector.Settings(8, 16, -1, 5);
            Path whole = dir.resolve("whole.jsonl");
            TrajectoryJob.Summary all = TrajectoryJob.run(
                    session, prompts, whole, new TrajectoryJob.Settings(c, 0, 1, false, 1000, false), null);
            assertEquals(6, all.promptsDone());
            assertTrue(Files.exists(TrajectoryJob.manifestPath(whole)));
            List<Path> shards = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path shard = dir.resolve("shard" + i + ".jsonl.gz");
                TrajectoryJob.Summary s = TrajectoryJob.run(
                        session, prompts, shard, new TrajectoryJob.Settings(c, i, 3, false, 1000, false), null);
                assertEquals(2, s.promptsInShard());
                shards.add(shard);
            }
            Path merged = dir.resolve("merged.jsonl");
            assertEquals(TrajectoryFiles.readAll(whole).size(), TrajectoryJob.merge(shards, merged));
            assertEquals(
                    json(TrajectoryFiles.readAll(whole)),
                    json(TrajectoryFiles.readAll(merged)),
                    "sharded collection gives the same records");
            assertThrows(
                    CllmException.class,
                    () -> TrajectoryJob.merge(List.of(shards.get(0), shards.get(0)), dir.resolve("x")));

            // Resume: cut the file in the middle of its last line; rerun completes it and skips the rest.
            String text = Files.readString(whole);
            Files.writeString(whole, text.substring(0, text.length() - 25));
            TrajectoryJob.Summary resumed = TrajectoryJob.run(
                    session, prompts, whole, new TrajectoryJob.Settings(c, 0, 1, false, 1000, false), null);
            assertTrue(resumed.promptsSkipped() >= 4 && resumed.promptsDone() <= 2, resumed.toString());
            List<TrajectoryRecord> after = TrajectoryFiles.readAll(whole);
            after.sort(java.util.Comparator.comparingInt(TrajectoryRecord::dataId)
                    .thenComparingInt(TrajectoryRecord::blockId));
            assertEquals(json(TrajectoryFiles.readAll(merged)), json(after));

            // Resuming a gzip file keeps it gzip (a resume once rewrote it as plain text under the .gz name).
            Path gz = shards.get(0);
            List<String> before = json(TrajectoryFiles.readAll(gz));
            TrajectoryJob.Summary again = TrajectoryJob.run(
                    session, prompts, gz, new TrajectoryJob.Settings(c, 0, 3, false, 1000, false), null);
            assertEquals(1, again.promptsSkipped(), "the last prompt of a resumed file is collected again");
            byte[] head = Arrays.copyOf(Files.readAllBytes(gz), 2);
            assertArrayEquals(new byte[] {(byte) 0x1f, (byte) 0x8b}, head, "still gzip after a resume");
            assertEquals(before, json(TrajectoryFiles.readAll(gz)));
        }
    }

    @Test
    void aPromptsRecordsDependOnItsIdAloneNotOnShardsOrderOrSessionSize(@TempDir Path dir) {
        try (NativeModel model = NativeModel.load(RandomWeights.create(CONFIG, 24), Device.cpu());
                NativeSession session = model.newSession(256)) {
            List<TrajectoryJob.Prompt> prompts = new ArrayList<>();
            for (int i = 0; i < 6; i++)
                prompts.add(new TrajectoryJob.Prompt(i, new int[] {i + 2, 3 * i + 1, 9, 4}, null));
            TrajectoryCollector.Settings c = new TrajectoryCollector.Settings(8, 24, -1, 11);
            Path whole = dir.resolve("whole.jsonl");
            TrajectoryJob.run(session, prompts, whole, new TrajectoryJob.Settings(c, 0, 1, true, 1000, false), null);
            List<TrajectoryRecord> expected = TrajectoryFiles.readAll(whole);
            assertTrue(expected.stream().anyMatch(r -> r.trajectoryIds().length > 2), "some states to augment");

            // Augmented in shards, and in reverse order: the same records (the cleaner's stream was once shared).
            List<Path> shards = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Path shard = dir.resolve("shard" + i + ".jsonl");
                TrajectoryJob.run(
                        session, prompts, shard, new TrajectoryJob.Settings(c, i, 2, true, 1000, false), null);
                shards.add(shard);
            }
            Path merged = dir.resolve("merged.jsonl");
            TrajectoryJob.merge(shards, merged);
            assertEquals(json(expected), json(TrajectoryFiles.readAll(merged)), "shards");
            Path reversed = dir.resolve("reversed.jsonl");
            List<TrajectoryJob.Prompt> backwardsOrder = new ArrayList<>(prompts);
            java.util.Collections.reverse(backwardsOrder);
            TrajectoryJob.run(
                    session, backwardsOrder, reversed, new TrajectoryJob.Settings(c, 0, 1, true, 1000, false), null);
            List<TrajectoryRecord> backwards = TrajectoryFiles.readAll(reversed);
            backwards.sort(java.util.Comparator.comparingInt(TrajectoryRecord::dataId)
                    .thenComparingInt(TrajectoryRecord::blockId));
            assertEquals(json(expected), json(backwards), "reverse order");

            // One prompt alone, on a session just big enough: the same records again.
            TrajectoryJob.Prompt last = prompts.get(5);
            int needed = PromptTrajectories.sessionCapacity(last.ids().length, 24, CONFIG.maxSeqLen());
            assertEquals(last.ids().length + 25, needed);
            try (NativeSession small = model.newSession(needed)) {
                PromptTrajectories.Result alone =
                        PromptTrajectories.collect(small, last, new PromptTrajectories.Settings(c, true, 1000));
                assertEquals(json(expected.stream().filter(r -> r.dataId() == 5).toList()), json(alone.records()));
            }
        }
    }

    private static List<String> json(List<TrajectoryRecord> records) {
        return records.stream().map(r -> r.toJson().toString()).toList();
    }
}
