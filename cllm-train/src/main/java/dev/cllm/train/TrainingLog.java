package dev.cllm.train;

import dev.cllm.CllmException;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

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
 * The training log: a CSV of step, named losses and learning rate (appended as training runs, so a
 * resumed run continues it), and a PNG plot of the loss curves drawn with JFreeChart.
 */
public final class TrainingLog implements AutoCloseable {
    private final Path csv;
    private final List<String> columns;
    private final BufferedWriter writer;

    /** Opens (appending) csv with a header of step, the given loss columns and lr. */
    public TrainingLog(Path csv, List<String> lossColumns, boolean append) {
        this.csv = csv;
        this.columns = List.copyOf(lossColumns);
        try {
            if (csv.getParent() != null) Files.createDirectories(csv.getParent());
            boolean fresh = !append || !Files.exists(csv) || Files.size(csv) == 0;
            writer = Files.newBufferedWriter(csv, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    fresh ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND);
            if (fresh) {
                writer.write("step," + String.join(",", columns) + ",lr\n");
                writer.flush();
            }
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot open " + csv + ": " + e.getMessage(), e);
        }
    }

    /** Appends one row; values in the order of the loss columns. */
    public void log(int step, double[] values, double lr) {
        if (values.length != columns.size()) throw new IllegalArgumentException("expected " + columns.size() + " values");
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

    /** Reads a log CSV back: column name to (step, value) points; lr excluded. */
    public static Map<String, List<double[]>> read(Path csv) {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        try {
            List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            if (lines.isEmpty()) return series;
            String[] header = lines.get(0).split(",");
            for (int c = 1; c < header.length; c++) if (!header[c].equals("lr")) series.put(header[c], new ArrayList<>());
            for (int i = 1; i < lines.size(); i++) {
                String[] cells = lines.get(i).split(",");
                if (cells.length != header.length) continue;  // a line cut off by a kill
                double step = Double.parseDouble(cells[0]);
                for (int c = 1; c < header.length; c++) {
                    List<double[]> s = series.get(header[c]);
                    if (s != null) s.add(new double[] {step, Double.parseDouble(cells[c])});
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new CllmException(CllmException.Status.IO, "cannot read " + csv + ": " + e.getMessage(), e);
        }
        return series;
    }

    /**
     * Writes a PNG of every loss column against the step, smoothed with an exponential moving average
     * over about {@code smoothing} points, on a log scale when all values are positive.
     */
    public static void plot(Path csv, Path png, String title, int smoothing) {
        double alpha = 2.0 / (Math.max(1, smoothing) + 1);
        Map<String, List<double[]>> series = read(csv);
        XYSeriesCollection data = new XYSeriesCollection();
        boolean positive = true;
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey());
            List<double[]> points = e.getValue();
            double mean = Double.NaN;
            for (int i = 0; i < points.size(); i++) {
                double value = points.get(i)[1];
                mean = Double.isNaN(mean) ? value : mean + alpha * (value - mean);
                if (Double.isFinite(mean)) {
                    s.add(points.get(i)[0], mean);
                    positive &= mean > 0;
                }
            }
            data.addSeries(s);
        }
        NumberAxis x = new NumberAxis("step");
        org.jfree.chart.axis.ValueAxis y;
        if (positive) {
            LogAxis log = new LogAxis("loss (log scale)");
            log.setNumberFormatOverride(new java.text.DecimalFormat("0.###"));  // plain numbers, not 10^x
            y = log;
        } else {
            y = new NumberAxis("loss");
        }
        XYPlot plot = new XYPlot(data, x, y, new XYLineAndShapeRenderer(true, false));
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        try {
            if (png.getParent() != null) Files.createDirectories(png.getParent());
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 960, 540);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot write " + png + ": " + e.getMessage(), e);
        }
    }
}
