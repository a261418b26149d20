package dev.cllm.train;

import dev.cllm.CllmException;
import dev.cllm.util.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The loss plot of a training run, drawn from its CSV log: above, every loss column raw (thin, pale) and
 * smoothed (thick; a moving average of the logarithm on a log axis), each labelled with its last value, plus held-out columns ({@code heldout_*}) as
 * points, on a log scale with round tick labels when all values are positive; below, the learning rate.
 * The title is the command that ran.
 */
public final class LossPlot {
    /** Smoothing: an exponential moving average over at most about this many log rows. */
    static final int SMOOTHING = 20;

    private static final Color[] COLORS = {
        new Color(31, 119, 180),
        new Color(255, 127, 14),
        new Color(44, 160, 44),
        new Color(214, 39, 40),
        new Color(148, 103, 189),
        new Color(140, 86, 75)
    };
    private static final String LR = "lr", HELD_OUT = "heldout_";

    private LossPlot() {}

    /** Draws csv into png (960 x 640). command: the plot's title (null: a generic one). */
    public static void write(Path csv, Path png, String command) {
        JFreeChart chart = chart(TrainingLog.read(csv), command);
        try {
            if (png.getParent() != null) Files.createDirectories(png.getParent());
            Path tmp = AtomicFiles.tempSibling(png);
            ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 960, 640);
            AtomicFiles.commit(tmp, png);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot write " + png + ": " + e.getMessage(), e);
        }
    }

    /** The chart of a log's columns (as {@link TrainingLog#read} returns them). */
    static JFreeChart chart(Map<String, List<double[]>> columns, String command) {
        XYSeriesCollection losses = new XYSeriesCollection();
        XYLineAndShapeRenderer lossRenderer = new XYLineAndShapeRenderer(true, false);
        boolean positive = true;
        int rows = 0;
        for (Map.Entry<String, List<double[]>> e : columns.entrySet()) {
            if (e.getKey().equals(LR)) continue;
            for (double[] p : e.getValue()) positive &= p[1] > 0;
            rows = Math.max(rows, e.getValue().size());
        }
        int window = smoothingWindow(rows);
        int color = 0;
        for (Map.Entry<String, List<double[]>> e : columns.entrySet()) {
            String name = e.getKey();
            if (name.equals(LR) || e.getValue().isEmpty()) continue;
            Color c = COLORS[color++ % COLORS.length];
            List<double[]> points = e.getValue();
            double last = points.get(points.size() - 1)[1];
            if (name.startsWith(HELD_OUT)) {
                int s = add(
                        losses,
                        "held-out " + name.substring(HELD_OUT.length()) + " (last " + ReadableNumbers.format(last, 4)
                                + ")",
                        points);
                lossRenderer.setSeriesPaint(s, c);
                lossRenderer.setSeriesStroke(
                        s,
                        new BasicStroke(
                                1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
                lossRenderer.setSeriesShapesVisible(s, true);
            } else {
                List<double[]> smooth = smoothed(points, window, positive);
                if (smooth.isEmpty()) continue; // no finite value to draw
                int raw = add(losses, name + ", raw (last " + ReadableNumbers.format(last, 4) + ")", points);
                lossRenderer.setSeriesPaint(raw, new Color(c.getRed(), c.getGreen(), c.getBlue(), 90));
                lossRenderer.setSeriesStroke(raw, new BasicStroke(1f));
                int sm = add(
                        losses,
                        name + ", smoothed (last " + ReadableNumbers.format(smooth.get(smooth.size() - 1)[1], 4) + ")",
                        smooth);
                lossRenderer.setSeriesPaint(sm, c);
                lossRenderer.setSeriesStroke(sm, new BasicStroke(2.2f));
            }
        }
        ValueAxis lossAxis = positive ? new ReadableLogAxis("loss (log scale)") : new NumberAxis("loss");
        if (lossAxis instanceof NumberAxis n) n.setAutoRangeIncludesZero(false);
        XYPlot lossPlot = new XYPlot(losses, null, lossAxis, lossRenderer);

        XYSeriesCollection rates = new XYSeriesCollection();
        List<double[]> lr = columns.getOrDefault(LR, List.of());
        if (!lr.isEmpty())
            add(rates, "learning rate (last " + ReadableNumbers.format(lr.get(lr.size() - 1)[1], 3) + ")", lr);
        NumberAxis lrAxis = new NumberAxis("learning rate");
        lrAxis.setNumberFormatOverride(new ReadableNumbers(3));
        XYLineAndShapeRenderer lrRenderer = new XYLineAndShapeRenderer(true, false);
        lrRenderer.setSeriesPaint(0, Color.DARK_GRAY);
        lrRenderer.setSeriesStroke(0, new BasicStroke(1.5f));
        XYPlot lrPlot = new XYPlot(rates, null, lrAxis, lrRenderer);

        NumberAxis stepAxis = new NumberAxis("step");
        stepAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(stepAxis);
        plot.setGap(12);
        plot.add(lossPlot, 3);
        plot.add(lrPlot, 1);
        for (XYPlot p : List.of(lossPlot, lrPlot)) {
            p.setBackgroundPaint(Color.WHITE);
            p.setRangeGridlinePaint(new Color(200, 200, 200));
            p.setDomainGridlinePaint(new Color(200, 200, 200));
        }
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        TextTitle title =
                new TextTitle(command == null ? "cllm training" : command, new Font(Font.SANS_SERIF, Font.BOLD, 13));
        title.setMaximumLinesToDisplay(3);
        chart.setTitle(title);
        chart.addSubtitle(new TextTitle(
                "smoothed: exponential moving average of " + (positive ? "log(loss)" : "the loss") + " over about "
                        + window + " log rows",
                new Font(Font.SANS_SERIF, Font.PLAIN, 11)));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static int add(XYSeriesCollection collection, String label, List<double[]> points) {
        XYSeries s = new XYSeries(label, false, true);
        for (double[] p : points) if (Double.isFinite(p[1])) s.add(p[0], p[1]);
        collection.addSeries(s);
        return collection.getSeriesCount() - 1;
    }

    /** About a tenth of the rows, at most {@link #SMOOTHING}: a long window would hide a short run's trend. */
    static int smoothingWindow(int rows) {
        return Math.max(1, Math.min(SMOOTHING, rows / 10));
    }

    /**
     * Exponential moving average with weight 2/(n+1), corrected for its start (each point is the weighted
     * mean of the values so far, so the curve does not start pulled toward the first value). Of the
     * logarithms when logScale (a geometric mean: on a log axis a falling loss is not dragged up by its
     * early, larger values).
     */
    static List<double[]> smoothed(List<double[]> points, int n, boolean logScale) {
        double alpha = 2.0 / (Math.max(1, n) + 1);
        double sum = 0, weight = 0;
        List<double[]> out = new ArrayList<>(points.size());
        for (double[] p : points) {
            double v = logScale ? Math.log(p[1]) : p[1];
            if (!Double.isFinite(v)) continue;
            sum = (1 - alpha) * sum + alpha * v;
            weight = (1 - alpha) * weight + alpha;
            double mean = sum / weight;
            out.add(new double[] {p[0], logScale ? Math.exp(mean) : mean});
        }
        return out;
    }
}
