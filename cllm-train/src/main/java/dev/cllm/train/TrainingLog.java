package dev.cllm.train;

import dev.cllm.CllmException;
import dev.cllm.util.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The training log: a CSV of step, named values (losses; held-out metrics, named {@code heldout_*}) and
 * learning rate, one row per logged step, flushed as training runs. Opening it for a run that continues
 * at step s keeps the rows up to s and drops later ones (written after the checkpoint the run resumes
 * from) and any line a kill cut off, so no step appears twice.
 */
public final class TrainingLog implements AutoCloseable {
    private final Path csv;
    private final List<String> columns;
    private final BufferedWriter writer;

    /** Opens csv for a run that continues after step keepThrough (0: a new run, the file starts afresh). */
    public TrainingLog(Path csv, List<String> valueColumns, int keepThrough) {
        this.csv = csv;
        this.columns = List.copyOf(valueColumns);
        String header = "step," + String.join(",", columns) + ",lr";
        try {
            if (csv.getParent() != null) Files.createDirectories(csv.getParent());
            StringBuilder kept = new StringBuilder(header).append('\n');
            if (keepThrough > 0 && Files.exists(csv)) {
                List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
                if (!lines.isEmpty() && lines.get(0).equals(header)) {
                    for (String line : lines.subList(1, lines.size())) {
                        Double step = stepOf(line, columns.size() + 2);
                        if (step != null && step <= keepThrough)
                            kept.append(line).append('\n');
                    }
                }
            }
            AtomicFiles.write(csv, kept.toString().getBytes(StandardCharsets.UTF_8));
            writer = Files.newBufferedWriter(csv, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot open " + csv + ": " + e.getMessage(), e);
        }
    }

    /** The step of a complete row of cells numbers, or null for a row cut off or garbled. */
    private static Double stepOf(String line, int cells) {
        String[] parts = line.split(",", -1);
        if (parts.length != cells) return null;
        try {
            for (String p : parts) Double.parseDouble(p);
            return Double.parseDouble(parts[0]);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Appends one row; values in the order of the value columns. */
    public void log(int step, double[] values, double lr) {
        if (values.length != columns.size())
            throw new IllegalArgumentException("expected " + columns.size() + " values");
        StringBuilder sb = new StringBuilder().append(step);
        for (double v : values) sb.append(',').append(String.format(Locale.ROOT, "%.6g", v));
        sb.append(',').append(String.format(Locale.ROOT, "%.6g", lr)).append('\n');
        try {
            writer.write(sb.toString());
            writer.flush();
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot write " + csv + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot close " + csv + ": " + e.getMessage(), e);
        }
    }

    /** Reads a log CSV back: column name (values and lr) to its (step, value) points; cut-off rows skipped. */
    public static Map<String, List<double[]>> read(Path csv) {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        try {
            List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            if (lines.isEmpty()) return series;
            String[] header = lines.get(0).split(",");
            for (int c = 1; c < header.length; c++) series.put(header[c], new ArrayList<>());
            for (int i = 1; i < lines.size(); i++) {
                if (stepOf(lines.get(i), header.length) == null) continue; // a line cut off by a kill
                String[] cells = lines.get(i).split(",");
                double step = Double.parseDouble(cells[0]);
                for (int c = 1; c < header.length; c++)
                    series.get(header[c]).add(new double[] {step, Double.parseDouble(cells[c])});
            }
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot read " + csv + ": " + e.getMessage(), e);
        }
        return series;
    }
}
