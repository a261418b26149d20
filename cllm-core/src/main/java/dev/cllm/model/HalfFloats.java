package dev.cllm.model;

/**
 * The one Java implementation of the conversions between float and the 16-bit formats of checkpoints
 * (bf16 and IEEE f16; Java 17 has none). The native engine's twin is {@code native/src/half_floats.cpp},
 * with the same rules: float to 16 bits rounds to nearest, ties to even; values beyond the largest finite
 * 16-bit value become infinity; infinities stay infinities; a NaN stays a NaN of the same sign and becomes
 * quiet (it never rounds into infinity); denormals round like any other value. 16 bits to float is exact.
 */
public final class HalfFloats {
    private HalfFloats() {}

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Round to nearest even; NaN stays NaN (quiet, same sign). */
    public static short floatToBf16(float value) {
        int u = Float.floatToRawIntBits(value);
        // Rounding a NaN's low bits could carry into the exponent and make it infinity: keep its top bits.
        if ((u & 0x7fffffff) > 0x7f800000) return (short) ((u >>> 16) | 0x40);
        // Adding 0x7fff (0x8000 when the kept part is odd) carries exactly when the dropped half is above
        // the tie, or at the tie with an odd kept part; a carry out of the largest finite value gives inf.
        int rounding = 0x7fff + ((u >>> 16) & 1);
        return (short) ((u + rounding) >>> 16);
    }

    public static float f16ToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        int bits;
        if (exponent == 0x1f) {
            bits = sign | 0x7f800000 | (mantissa << 13);
        } else if (exponent != 0) {
            bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
        } else if (mantissa == 0) {
            bits = sign;
        } else {
            exponent = 113;
            while ((mantissa & 0x400) == 0) {
                mantissa <<= 1;
                exponent--;
            }
            bits = sign | (exponent << 23) | ((mantissa & 0x3ff) << 13);
        }
        return Float.intBitsToFloat(bits);
    }

    /** Round to nearest even, with overflow to infinity and gradual underflow. */
    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0));
        int e = exponent - 127 + 15;
        if (e >= 0x1f) return (short) (sign | 0x7c00);
        if (e <= 0) {
            if (e < -10) return (short) sign;
            mantissa |= 0x800000;
            int shift = 14 - e;
            int half = mantissa >>> shift;
            int remainder = mantissa & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (remainder > halfway || (remainder == halfway && (half & 1) != 0)) half++;
            return (short) (sign | half);
        }
        int half = (e << 10) | (mantissa >>> 13);
        int remainder = mantissa & 0x1fff;
        if (remainder > 0x1000 || (remainder == 0x1000 && (half & 1) != 0)) half++;
        return (short) (sign | half);
    }
}
