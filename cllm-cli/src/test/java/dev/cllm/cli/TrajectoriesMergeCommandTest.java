package dev.cllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.train.TrajectoryFiles;
import dev.cllm.train.TrajectoryRecord;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cllm trajectories merge --out all.jsonl.gz shard-*.jsonl.gz}, as the README shows it. */
class TrajectoriesMergeCommandTest {
    @TempDir
    Path dir;

    @Test
    void mergeJoinsShardsInPromptAndBlockOrder() throws IOException {
        Path shard0 = write("shard-0.jsonl.gz", record(2, 0), record(0, 1), record(0, 0));
        Path shard1 = write("shard-1.jsonl.gz", record(1, 0), record(3, 0));
        Path all = dir.resolve("all.jsonl.gz");
        InfoCommandTest.Result r = InfoCommandTest.run(
                "trajectories", "merge", "--out", all.toString(), shard0.toString(), shard1.toString());
        assertEquals(0, r.code(), r.err());
        List<TrajectoryRecord> merged = TrajectoryFiles.readAll(all);
        assertEquals(
                List.of("0/0", "0/1", "1/0", "2/0", "3/0"),
                merged.stream().map(m -> m.dataId() + "/" + m.blockId()).toList());
        assertTrue(r.err().contains("merged 5 records from 2 shards"), r.err());
    }

    @Test
    void collectingStillNeedsModelPromptsAndOut() {
        InfoCommandTest.Result r = InfoCommandTest.run("trajectories", "--prompts", "p.jsonl");
        assertEquals(2, r.code(), r.err());
        assertTrue(
                r.err().contains("--model")
                        && r.err().contains("--out")
                        && !r.err().contains("'--prompts"),
                r.err());
    }

    private Path write(String name, TrajectoryRecord... records) throws IOException {
        Path file = dir.resolve(name);
        try (Writer w = TrajectoryFiles.openForAppend(file)) {
            for (TrajectoryRecord record : records) TrajectoryFiles.write(w, record);
        }
        return file;
    }

    private static TrajectoryRecord record(int dataId, int blockId) {
        int[] fixedPoint = {5, 6};
        return new TrajectoryRecord(
                dataId, blockId, new int[] {1, 2, 3}, new int[][] {{7, 8}, fixedPoint}, fixedPoint, null);
    }
}
