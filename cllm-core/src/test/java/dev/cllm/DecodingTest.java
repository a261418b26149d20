package dev.cllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.decode.ArDecoder;
import dev.cllm.decode.InitialGuess;
import dev.cllm.decode.JacobiDecoder;
import dev.cllm.decode.WindowMode;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Decoding is a sealed AR | Jacobi type; each record validates its own settings and copies keep the rest. */
class DecodingTest {
    @Test
    void theTwoKindsAndTheirDefaults() {
        assertTrue(Decoding.class.isSealed());
        assertEquals(Set.of(Decoding.Ar.class, Decoding.Jacobi.class), Set.of(Decoding.class.getPermittedSubclasses()));
        Decoding.Ar ar = Decoding.ar();
        assertEquals(new Decoding.Ar(256, true), ar);
        Decoding.Jacobi j = Decoding.jacobi(16);
        assertEquals(new Decoding.Jacobi(16, 256, WindowMode.REFILL, InitialGuess.random(0), 16, true), j);
        assertEquals("ar", ar.toString());
        assertEquals("jacobi(n=16, refill, random guesses)", j.toString());
        assertInstanceOf(ArDecoder.class, ar.decoder(null));
        assertInstanceOf(JacobiDecoder.class, j.decoder(null));
        assertEquals(16, ((JacobiDecoder) j.decoder(null)).blockSize());
    }

    @Test
    void jacobiWithoutASizeChoosesItByMeasurement() {
        Decoding.Jacobi auto = Decoding.jacobi();
        assertEquals(
                new Decoding.Jacobi(Decoding.AUTO_BLOCK, 256, WindowMode.REFILL, InitialGuess.random(0), 0, true),
                auto);
        assertTrue(auto.autoBlock());
        assertTrue(!Decoding.jacobi(4).autoBlock());
        assertEquals("jacobi(auto, refill, random guesses)", auto.toString());
        assertEquals(JacobiDecoder.AUTO, ((JacobiDecoder) auto.decoder(null)).blockSize());
        Decoding.Jacobi copy =
                auto.withWindow(WindowMode.SHRINK).withMaxNewTokens(9).withMaxIterationsPerBlock(4);
        assertTrue(copy.autoBlock(), "copies keep the automatic size");
        assertEquals(4, copy.maxIterationsPerBlock());
    }

    @Test
    void copiesChangeOneSettingAndKeepTheOthers() {
        Decoding.Jacobi j = Decoding.jacobi(8)
                .withWindow(WindowMode.SHRINK)
                .withInitialGuess(InitialGuess.last())
                .withMaxIterationsPerBlock(3)
                .withMaxNewTokens(40)
                .withStopAtEos(false);
        assertEquals(new Decoding.Jacobi(8, 40, WindowMode.SHRINK, InitialGuess.last(), 3, false), j);
        Decoding generic = j;
        Decoding copy = generic.withMaxNewTokens(7);
        assertEquals(j.withMaxNewTokens(7), copy, "the interface's copy keeps the kind");
        assertEquals(
                new Decoding.Ar(0, false), Decoding.ar().withStopAtEos(false).withMaxNewTokens(0));
    }

    @Test
    void badSettingsAreRefusedNamingTheSetting() {
        refused("blockSize", () -> Decoding.jacobi(0));
        refused("maxNewTokens", () -> Decoding.jacobi(4).withMaxNewTokens(-1));
        refused("maxNewTokens", () -> Decoding.ar().withMaxNewTokens(-1));
        refused("window", () -> Decoding.jacobi(4).withWindow(null));
        refused("initialGuess", () -> Decoding.jacobi(4).withInitialGuess(null));
        refused("maxIterationsPerBlock", () -> Decoding.jacobi(4).withMaxIterationsPerBlock(-1));
        refused("maxIterationsPerBlock", () -> Decoding.jacobi().withMaxIterationsPerBlock(-1));
        refused("blockSize", () -> new Decoding.Jacobi(-1, 8, WindowMode.REFILL, InitialGuess.last(), 1, true));
    }

    private static void refused(String name, Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build, name);
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }
}
