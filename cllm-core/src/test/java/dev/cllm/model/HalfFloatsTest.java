package dev.cllm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The Java conversions between float and bf16 / f16: exact widening, round to nearest with ties to
 * even, overflow to infinity, gradual underflow, NaN kept NaN (quiet, same sign), infinities kept. The
 * native twin (native/src/half_floats.cpp) runs the same cases in test_half_floats.
 */
class HalfFloatsTest {
    private static final int SWEEP_STEP = 4099;

    private static String hex(int bits) {
        return String.format("0x%08x", bits);
    }

    /** The exact value of a bf16 pattern; infinity stands for 2^128, where rounding puts its boundary. */
    private static double bf16Value(int h) {
        if ((h & 0x7f80) == 0x7f80) return Math.copySign(Math.scalb(1.0, 128), (h & 0x8000) != 0 ? -1 : 1);
        return HalfFloats.bf16ToFloat((short) h);
    }

    private static double f16Value(int h) {
        if ((h & 0x7c00) == 0x7c00) return (h & 0x8000) != 0 ? -65536.0 : 65536.0;
        return HalfFloats.f16ToFloat((short) h);
    }

    /** r is a nearest 16-bit value to x, ties to even, among its neighbours of the same sign. */
    private static boolean isNearestEven(float x, int r, IntToDoubleFunction value, int infBits) {
        double d = Math.abs((double) x - value.applyAsDouble(r));
        int magnitude = r & 0x7fff;
        for (int step : new int[] {-1, 1}) {
            if ((step < 0 && magnitude == 0) || (step > 0 && magnitude >= infBits)) continue;
            double other = Math.abs((double) x - value.applyAsDouble(r + step));
            if (other < d || (other == d && (r & 1) != 0)) return false;
        }
        return true;
    }

    @Test
    void everyBf16SurvivesTheRoundTripAndNanStaysQuietNan() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.bf16ToFloat((short) h);
            assertEquals(h << 16, Float.floatToRawIntBits(f), "widening is exact");
            int back = HalfFloats.floatToBf16(f) & 0xffff;
            if (Float.isNaN(f)) {
                assertTrue(
                        Float.isNaN(HalfFloats.bf16ToFloat((short) back))
                                && (back & 0x8000) == (h & 0x8000)
                                && (back & 0x40) != 0,
                        "NaN " + hex(h) + " -> " + hex(back));
            } else {
                assertEquals(h, back, "round trip of " + hex(h));
            }
        }
    }

    @Test
    void bf16EdgeCases() {
        int[][] cases = { // input bits, expected bf16
            {0x7f800000, 0x7f80},
            {0xff800000, 0xff80}, // infinities stay infinities
            {0x7f800001, 0x7fc0}, // a signalling NaN with a low payload becomes a quiet NaN, not inf
            {0x7fffffff, 0x7fff}, // a NaN with every payload bit set: no carry into the sign
            {0xffc00001, 0xffc0}, // negative NaN keeps its sign
            {0x7f7fffff, 0x7f80},
            {0xff7fffff, 0xff80}, // +-FLT_MAX overflow to infinity
            {0x7f7f7fff, 0x7f7f}, // below the tie under infinity stays finite
            {0x7f7f8000, 0x7f80}, // the tie between the largest bf16 (odd) and infinity
            {0x3f808000, 0x3f80},
            {0x3f818000, 0x3f82}, // ties to even, down and up
            {0x3f808001, 0x3f81},
            {0x3f807fff, 0x3f80}, // just above and below a tie
            {0x00000001, 0x0000},
            {0x00008000, 0x0000}, // float denormals: to +0, tie to the even +0
            {0x00018000, 0x0002},
            {0x00008001, 0x0001}, // denormal ties to even, above the tie up
            {0x807fffff, 0x8080}, // the largest negative denormal rounds into the normal range
            {0x80000000, 0x8000}, // -0 stays -0
        };
        for (int[] c : cases) {
            assertEquals(c[1], HalfFloats.floatToBf16(Float.intBitsToFloat(c[0])) & 0xffff, hex(c[0]));
        }
    }

    @Test
    void bf16IsTheNearestValueTiesToEvenAcrossTheFloatRange() {
        for (long u = 0; u < 1L << 32; u += SWEEP_STEP) {
            float x = Float.intBitsToFloat((int) u);
            int r = HalfFloats.floatToBf16(x) & 0xffff;
            if (Float.isNaN(x)) {
                assertTrue(Float.isNaN(HalfFloats.bf16ToFloat((short) r)), hex((int) u));
            } else if ((r & 0x8000) != ((int) (u >>> 16) & 0x8000)
                    || !isNearestEven(x, r, HalfFloatsTest::bf16Value, 0x7f80)) {
                fail("bf16 of " + hex((int) u) + " is " + Integer.toHexString(r));
            }
        }
    }

    @Test
    void everyF16SurvivesTheRoundTripAndNanStaysQuietNan() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.f16ToFloat((short) h);
            int back = HalfFloats.floatToF16(f) & 0xffff;
            if (Float.isNaN(f)) {
                assertTrue(
                        (back & 0x7c00) == 0x7c00
                                && (back & 0x3ff) != 0
                                && (back & 0x8000) == (h & 0x8000)
                                && (back & 0x200) != 0,
                        "NaN " + hex(h) + " -> " + hex(back));
            } else {
                assertEquals(h, back, "round trip of " + hex(h));
            }
        }
    }

    @Test
    void f16EdgeCases() {
        float smallest = Math.scalb(1.0f, -24); // the smallest f16 denormal
        Object[][] cases = {
            {Float.POSITIVE_INFINITY, 0x7c00},
            {Float.NEGATIVE_INFINITY, 0xfc00},
            {Float.intBitsToFloat(0x7f800001), 0x7e00}, // a signalling NaN becomes a quiet NaN, not inf
            {65504f, 0x7bff},
            {65519f, 0x7bff}, // the largest f16, and below the tie under infinity
            {65520f, 0x7c00}, // the tie between the largest f16 (odd) and infinity
            {1e10f, 0x7c00},
            {-1e10f, 0xfc00}, // overflow to infinity
            {1f + Math.scalb(1f, -11), 0x3c00},
            {1f + 3 * Math.scalb(1f, -11), 0x3c02}, // ties to even
            {smallest, 0x0001},
            {smallest / 2, 0x0000},
            {smallest * 1.5f, 0x0002},
            {Math.nextUp(smallest / 2), 0x0001}, // just above half the smallest denormal
            {Float.MIN_VALUE, 0x0000}, // a float denormal underflows to +0
            {-0.0f, 0x8000},
        };
        for (Object[] c : cases) {
            float in = (Float) c[0];
            assertEquals(
                    (int) (Integer) c[1],
                    HalfFloats.floatToF16(in) & 0xffff,
                    in + " " + hex(Float.floatToRawIntBits(in)));
        }
    }

    @Test
    void f16IsTheNearestValueTiesToEvenAcrossTheFloatRange() {
        for (long u = 0; u < 1L << 32; u += SWEEP_STEP) {
            float x = Float.intBitsToFloat((int) u);
            int r = HalfFloats.floatToF16(x) & 0xffff;
            if (Float.isNaN(x)) {
                assertTrue(Float.isNaN(HalfFloats.f16ToFloat((short) r)), hex((int) u));
            } else if ((r & 0x8000) != ((int) (u >>> 16) & 0x8000)
                    || !isNearestEven(x, r, HalfFloatsTest::f16Value, 0x7c00)) {
                fail("f16 of " + hex((int) u) + " is " + Integer.toHexString(r));
            }
        }
    }
}
