package dev.cllm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.Range;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossPlotTest {
    @Test
    void numbersReadAsPeopleWriteThem() {
        assertEquals("5e-4", ReadableNumbers.format(5e-4, 3));
        assertEquals("1.5e-4", ReadableNumbers.format(1.5e-4, 3));
        assertEquals("2e-5", ReadableNumbers.format(2.0000001e-5, 3));
        assertEquals("0.25", ReadableNumbers.format(0.25, 3));
        assertEquals("2000", ReadableNumbers.format(2000, 3));
        assertEquals("1.23e5", ReadableNumbers.format(123456, 3));
        assertEquals("0.4123", ReadableNumbers.format(0.412345, 4));
    }

    @Test
    void logAxisTicksAreRoundAndEnough() {
        for (double[] range : new double[][] {{0.3, 4}, {0.01, 10}, {0.41, 0.47}, {2e-3, 7.5}, {1.02, 1.09}}) {
            List<NumberTick> ticks = ReadableLogAxis.ticks(new Range(range[0], range[1]), RectangleEdge.LEFT);
            assertTrue(ticks.size() >= 4, ticks.size() + " ticks on " + range[0] + ".." + range[1]);
            assertTrue(ticks.size() <= 16, ticks.size() + " ticks on " + range[0] + ".." + range[1]);
            for (NumberTick t : ticks) {
                double v = t.getValue();
                assertTrue(v >= range[0] && v <= range[1]);
                assertEquals(v, Double.parseDouble(t.getText()), 1e-12 * v, "label " + t.getText() + " is the value");
                String digits =
                        t.getText().replaceAll("e.*", "").replace(".", "").replaceAll("^0+|0+$", "");
                assertTrue(digits.length() <= 3, "label " + t.getText() + " is round");
            }
        }
    }

    @Test
    void theChartShowsRawAndSmoothedCurvesTheirLastValuesAndTheLearningRate(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("log.csv");
        try (TrainingLog log = new TrainingLog(csv, List.of("total", "ar", "heldout_total"), 0)) {
            for (int step = 10; step <= 600; step += 10) {
                double noise = ((step * 7919) % 13) / 13.0;
                log.log(
                        step,
                        new double[] {3.0 / Math.sqrt(step) + 0.2 * noise, 0.5 / step, 3.2 / Math.sqrt(step)},
                        5e-4 * Math.min(1.0, step / 30.0));
            }
        }
        String command = "cllm train --model teacher --data trajectories.jsonl.gz --out cllm --steps 600";
        JFreeChart chart = LossPlot.chart(TrainingLog.read(csv), command);
        assertEquals(command, chart.getTitle().getText());
        List<XYPlot> plots = ((CombinedDomainXYPlot) chart.getXYPlot()).getSubplots();
        assertEquals(2, plots.size(), "losses above, learning rate below");
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < plots.get(0).getDataset().getSeriesCount(); i++)
            labels.add(plots.get(0).getDataset().getSeriesKey(i).toString());
        var columns = TrainingLog.read(csv);
        double lastTotal = columns.get("total").get(59)[1];
        double smoothTotal = LossPlot.smoothed(columns.get("total"), LossPlot.smoothingWindow(60), true)
                .get(59)[1];
        double smoothAr = LossPlot.smoothed(columns.get("ar"), LossPlot.smoothingWindow(60), true)
                .get(59)[1];
        assertTrue(Math.abs(smoothTotal - lastTotal) > 1e-3, "the smoothed curve is not the raw one");
        assertEquals(
                List.of(
                        "total, raw (last " + ReadableNumbers.format(lastTotal, 4) + ")",
                        "total, smoothed (last " + ReadableNumbers.format(smoothTotal, 4) + ")",
                        "ar, raw (last 8.333e-4)",
                        "ar, smoothed (last " + ReadableNumbers.format(smoothAr, 4) + ")",
                        "held-out total (last 0.1306)"),
                labels);
        assertTrue(plots.get(0).getRangeAxis() instanceof ReadableLogAxis);
        assertEquals(
                "learning rate (last 5e-4)",
                plots.get(1).getDataset().getSeriesKey(0).toString());
        LossPlot.write(csv, dir.resolve("loss.png"), command);
        assertTrue(Files.size(dir.resolve("loss.png")) > 10_000);
    }

    @Test
    void smoothingStartsAtTheFirstValueAndFollowsAFallOnTheLogScale() {
        List<double[]> points = List.of(new double[] {1, 10}, new double[] {2, 0.1}, new double[] {3, 0.1});
        for (boolean log : new boolean[] {false, true}) {
            List<double[]> s = LossPlot.smoothed(points, 3, log);
            assertEquals(10, s.get(0)[1], 1e-12);
            assertTrue(s.get(1)[1] < 10 && s.get(1)[1] > 0.1 && s.get(2)[1] < s.get(1)[1]);
        }
        // Geometric: after a fall of 100x, the log-scale average is far nearer the new level.
        assertTrue(LossPlot.smoothed(points, 3, true).get(2)[1]
                < 0.5 * LossPlot.smoothed(points, 3, false).get(2)[1]);
        assertEquals(6, LossPlot.smoothingWindow(60));
        assertEquals(LossPlot.SMOOTHING, LossPlot.smoothingWindow(5000));
    }
}
