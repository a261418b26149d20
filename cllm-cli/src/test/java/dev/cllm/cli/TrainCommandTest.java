package dev.cllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cllm.model.CheckpointWriter;
import dev.cllm.model.DType;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.RandomWeights;
import dev.cllm.train.TrajectoryFiles;
import dev.cllm.train.TrajectoryRecord;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void writeModelAndShards() throws IOException {
        LlamaConfig config = LlamaConfig.of(32, 64, 1, 4, 2, 40, 64, true);
        CheckpointWriter.write(RandomWeights.create(config, 3), dir.resolve("model"), DType.F32, null);
        SplittableRandom random = new SplittableRandom(1);
        for (int shard = 0; shard < 3; shard++) {
            try (Writer w = TrajectoryFiles.openForAppend(dir.resolve("data/part-" + shard + ".jsonl.gz"))) {
                for (int i = 0; i < 10; i++) {
                    int[] fixed = random.ints(4, 1, 40).toArray(),
                            guess = random.ints(4, 1, 40).toArray();
                    TrajectoryFiles.write(
                            w,
                            new TrajectoryRecord(
                                    shard * 10 + i,
                                    0,
                                    random.ints(5, 1, 40).toArray(),
                                    new int[][] {guess, fixed},
                                    fixed,
                                    null));
                }
            }
        }
    }

    private static InfoCommandTest.Result train(String out, int steps, String... extra) {
        String[] base = {
            "train",
            "--model",
            dir.resolve("model").toString(),
            "--data",
            dir.resolve("data").toString(),
            "--out",
            dir.resolve(out).toString(),
            "--steps",
            Integer.toString(steps),
            "--batch",
            "2",
            "--shuffle-buffer",
            "7",
            "--checkpoint-every",
            "3",
            "--log-every",
            "2",
            "--dtype",
            "f32"
        };
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return InfoCommandTest.run(args);
    }

    @Test
    void trainsOnADirectoryOfShardsAndGuardsItsOutputFolder() throws IOException {
        InfoCommandTest.Result first = train("out", 6);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.err().contains("3 shard(s)"), first.err());
        JsonObject summary = JsonParser.parseString(Files.readString(dir.resolve("out/summary.json")))
                .getAsJsonObject();
        assertTrue(summary.get("command").getAsString().startsWith("cllm train --model "), summary.toString());
        assertEquals(12, summary.getAsJsonObject("data_position").get("drawn").getAsLong(), "6 steps x 2 records");
        assertEquals(5e-4, summary.get("learning_rate").getAsDouble(), "the recipe's learning rate is the default");

        InfoCommandTest.Result again = train("out", 6);
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("not empty") && again.err().contains("--overwrite"), again.err());

        InfoCommandTest.Result longer = train("out", 9, "--resume");
        assertEquals(2, longer.code(), longer.err());
        assertTrue(longer.err().contains("--steps 6 (now 9)"), longer.err());

        InfoCommandTest.Result both = train("out", 6, "--resume", "--overwrite");
        assertEquals(2, both.code(), both.err());

        assertEquals(0, train("out", 6, "--resume").code());
        InfoCommandTest.Result overwrite = train("out", 6, "--overwrite");
        assertEquals(0, overwrite.code(), overwrite.err());
    }
}
