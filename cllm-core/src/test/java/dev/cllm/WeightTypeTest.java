package dev.cllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.nativelib.CllmNative;
import org.junit.jupiter.api.Test;

class WeightTypeTest {
    @Test
    void parsesTheCommandLineNames() {
        assertEquals(WeightType.F32, WeightType.parse("f32"));
        assertEquals(WeightType.BF16, WeightType.parse("BF16"));
        assertEquals(WeightType.Q8_0, WeightType.parse(" q8_0 "));
        for (String bad : new String[] {"f16", "q8", "", "int8"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightType.parse(bad));
            assertTrue(e.getMessage().contains("f32, bf16 or q8_0"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> WeightType.parse(null));
    }

    @Test
    void nativeCodesAreTheAbis() {
        assertEquals(CllmNative.CLLM_DTYPE_F32, WeightType.F32.nativeCode());
        assertEquals(CllmNative.CLLM_DTYPE_BF16, WeightType.BF16.nativeCode());
        assertEquals(CllmNative.CLLM_DTYPE_Q8_0, WeightType.Q8_0.nativeCode());
        for (WeightType t : WeightType.values()) assertEquals(t, WeightType.ofNative(t.nativeCode()));
        assertThrows(IllegalArgumentException.class, () -> WeightType.ofNative(CllmNative.CLLM_DTYPE_F16));
    }
}
