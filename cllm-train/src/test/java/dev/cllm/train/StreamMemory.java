package dev.cllm.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Measures the peak resident memory (VmHWM) of reading trajectory data, for the README:
 * <ul>
 *   <li>{@code StreamMemory DATA epoch BUFFER}: draws every record of one epoch through a
 *       {@link ShuffledRecordStream};</li>
 *   <li>{@code StreamMemory DATA seek BUFFER N}: seeks to record N of epoch 0 (as a resumed run does)
 *       and draws 1,000 records;</li>
 *   <li>{@code StreamMemory DATA list}: reads every record into a list, as the trainer did before it
 *       streamed.</li>
 * </ul>
 */
final class StreamMemory {
    private StreamMemory() {}

    public static void main(String[] args) {
        Path data = Path.of(args[0]);
        long start = System.nanoTime();
        long records = 0;
        switch (args[1]) {
            case "list" -> {
                List<TrajectoryRecord> all = new java.util.ArrayList<>();
                for (RecordShard shard : RecordShards.find(data)) {
                    try (ShardReader reader = shard.open()) {
                        for (TrajectoryRecord r; (r = reader.next()) != null; ) all.add(r);
                    }
                }
                records = all.size();
            }
            case "epoch", "seek" -> {
                try (ShuffledRecordStream stream =
                        new ShuffledRecordStream(RecordShards.find(data), Integer.parseInt(args[2]), 1)) {
                    long draws = 1000;
                    if (args[1].equals("seek")) {
                        stream.seek(new ShuffledRecordStream.Position(0, Long.parseLong(args[3])));
                    } else {
                        while (stream.position().epoch() == 0) {
                            stream.next();
                            records++;
                            if (stream.bufferedRecords() == 0) break;
                        }
                        draws = 0;
                    }
                    for (long i = 0; i < draws; i++, records++) stream.next();
                }
            }
            default -> throw new IllegalArgumentException("mode must be epoch, seek or list");
        }
        System.out.printf(
                Locale.ROOT,
                "%s %s: %,d records drawn, %.1f s, peak RSS %.0f MiB%n",
                data,
                String.join(" ", List.of(args).subList(1, args.length)),
                records,
                (System.nanoTime() - start) / 1e9,
                Trainer.peakRss() / 1048576.0);
    }
}
