package dev.cllm.train;

import java.math.BigDecimal;
import java.math.MathContext;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.Locale;

/**
 * Numbers for plot labels: a few significant digits, plain between 0.001 and 100,000 ("0.25", "1.5",
 * "2000"), else "mantissa e exponent" ("2e-05" reads badly; this gives "2e-5", "1.5e-4").
 */
final class ReadableNumbers extends NumberFormat {
    private static final long serialVersionUID = 1L;
    private final int digits;

    ReadableNumbers(int significantDigits) {
        this.digits = significantDigits;
    }

    static String format(double v, int significantDigits) {
        if (v == 0) return "0";
        if (!Double.isFinite(v)) return Double.toString(v);
        BigDecimal rounded = new BigDecimal(v).round(new MathContext(significantDigits));
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) return rounded.stripTrailingZeros().toPlainString();
        int exponent = rounded.precision() - rounded.scale() - 1;
        BigDecimal mantissa = rounded.movePointLeft(exponent).stripTrailingZeros();
        return mantissa.toPlainString() + "e" + exponent;
    }

    @Override
    public StringBuffer format(double number, StringBuffer to, FieldPosition pos) {
        return to.append(format(number, digits));
    }

    @Override
    public StringBuffer format(long number, StringBuffer to, FieldPosition pos) {
        return to.append(format((double) number, digits));
    }

    @Override
    public Number parse(String source, ParsePosition pos) {
        try {
            double v =
                    Double.parseDouble(source.substring(pos.getIndex()).trim().toLowerCase(Locale.ROOT));
            pos.setIndex(source.length());
            return v;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
