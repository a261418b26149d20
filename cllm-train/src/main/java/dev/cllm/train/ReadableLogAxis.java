package dev.cllm.train;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.Range;

/**
 * A vertical log axis labelled at round values: powers of ten over many decades, 1-2-5 over a few, every
 * integer mantissa over about one, and over less (where a log axis is nearly linear) evenly spaced round
 * steps, so that at least four labelled ticks show whatever the range. (JFreeChart's own LogAxis labels
 * only powers of ten, or values such as 1.259.)
 */
final class ReadableLogAxis extends LogAxis {
    private static final long serialVersionUID = 1L;
    private static final int[][] MANTISSAS = {{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
    private static final int ENOUGH = 4;

    ReadableLogAxis(String label) {
        super(label);
    }

    @Override
    @SuppressWarnings("rawtypes")
    protected List refreshTicksVertical(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
        return ticks(getRange(), edge);
    }

    /** The ticks for range (empty when the range is not positive). */
    static List<NumberTick> ticks(Range range, RectangleEdge edge) {
        double lo = range.getLowerBound(), hi = range.getUpperBound();
        List<BigDecimal> values = new ArrayList<>();
        if (lo > 0 && hi > lo) {
            for (int[] mantissas : MANTISSAS) {
                values = mantissaTicks(mantissas, lo, hi);
                if (values.size() >= ENOUGH) break;
            }
            if (values.size() < ENOUGH) values = evenTicks(lo, hi);
        }
        TextAnchor anchor = edge == RectangleEdge.RIGHT ? TextAnchor.CENTER_LEFT : TextAnchor.CENTER_RIGHT;
        List<NumberTick> ticks = new ArrayList<>();
        for (BigDecimal v : values) {
            ticks.add(new NumberTick(TickType.MAJOR, v.doubleValue(), label(v), anchor, TextAnchor.CENTER, 0.0));
        }
        return ticks;
    }

    private static List<BigDecimal> mantissaTicks(int[] mantissas, double lo, double hi) {
        List<BigDecimal> values = new ArrayList<>();
        for (int e = (int) Math.floor(Math.log10(lo)); e <= (int) Math.ceil(Math.log10(hi)); e++) {
            for (int m : mantissas) {
                BigDecimal v = BigDecimal.valueOf(m).scaleByPowerOfTen(e);
                if (v.doubleValue() >= lo && v.doubleValue() <= hi) values.add(v);
            }
        }
        return values;
    }

    /** Multiples of the largest round step (1, 2 or 5 times a power of ten) that gives enough ticks. */
    private static List<BigDecimal> evenTicks(double lo, double hi) {
        int e = (int) Math.floor(Math.log10(hi - lo));
        List<BigDecimal> values = new ArrayList<>();
        for (int i = 0; i < 12 && values.size() < ENOUGH; i++) {
            BigDecimal step = BigDecimal.valueOf(new int[] {5, 2, 1}[i % 3]).scaleByPowerOfTen(e - i / 3);
            values = new ArrayList<>();
            BigDecimal v =
                    BigDecimal.valueOf(Math.ceil(lo / step.doubleValue())).multiply(step);
            for (; v.doubleValue() <= hi; v = v.add(step)) {
                if (v.doubleValue() >= lo) values.add(v);
            }
        }
        return values;
    }

    private static String label(BigDecimal v) {
        double d = Math.abs(v.doubleValue());
        return d >= 1e-3 && d < 1e5
                ? v.stripTrailingZeros().toPlainString()
                : ReadableNumbers.format(v.doubleValue(), 3);
    }
}
