package dev.cllm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.decode.ArDecoder;
import dev.cllm.engine.NativeModel;
import dev.cllm.engine.NativeSession;
import dev.cllm.model.RandomWeights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A session used by two threads at once is refused with a clear CllmException (it used to give silent
 * garbage or an ArrayIndexOutOfBoundsException); every call after close throws CllmException STATE
 * (it used to throw IllegalStateException, NullPointerException or a JavaCPP exception).
 */
class SessionMisuseTest {
    @Test
    void aSecondThreadIsRefusedWhileAGenerationRunsAndTheGenerationIsUnharmed() throws Exception {
        try (Model model = TinyModels.load(11);
                Session session = model.newSession()) {
            int[] expected = session.generate(TinyModels.PROMPT, TinyModels.jacobi(40), null)
                    .tokens();
            CountDownLatch firstToken = new CountDownLatch(1);
            CountDownLatch checked = new CountDownLatch(1);
            AtomicReference<Generation> result = new AtomicReference<>();
            Thread t = new Thread(
                    () -> result.set(session.generate(TinyModels.PROMPT, TinyModels.jacobi(40), token -> {
                        firstToken.countDown();
                        try {
                            checked.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                    })),
                    "first-user");
            t.start();
            assertTrue(firstToken.await(30, TimeUnit.SECONDS));
            try {
                NativeSession engine = session.engine();
                Map<String, Executable> calls = new LinkedHashMap<>();
                calls.put("generate", () -> session.generate(TinyModels.PROMPT, TinyModels.ar(5), null));
                calls.put("forward", () -> engine.forward(new int[] {1, 2}, true));
                calls.put("length", engine::length);
                calls.put("truncate", () -> engine.truncate(0));
                calls.put("jacobiStep", () -> engine.jacobiStep(new int[] {1, 2}, 2));
                calls.put("jacobiBlock", () -> engine.jacobiBlock(1, new int[] {2, 3}, 2, -1, true));
                calls.put("claim", engine::claim);
                calls.put("decoder", () -> new ArDecoder(3).decode(engine, TinyModels.PROMPT, -1, null));
                for (Map.Entry<String, Executable> call : calls.entrySet()) {
                    CllmException e = assertThrows(CllmException.class, call.getValue(), call.getKey());
                    assertEquals(CllmException.Status.STATE, e.status(), call.getKey());
                    assertTrue(e.getMessage().contains("in use by thread 'first-user'"), e.getMessage());
                }
            } finally {
                checked.countDown();
            }
            t.join(30_000);
            assertArrayEquals(expected, result.get().tokens(), "the refused calls changed nothing");
            // Once the generation is over, another thread may use the session.
            assertEquals(
                    3,
                    session.generate(TinyModels.PROMPT, TinyModels.ar(3), null).tokens().length);
        }
    }

    @Test
    void twoThreadsHammeringOneNativeSessionGetStateExceptionsOrRightResultsNeverGarbage() throws Exception {
        try (NativeModel model = NativeModel.load(RandomWeights.create(TinyModels.CONFIG, 12), Device.cpu());
                NativeSession session = model.newSession(512)) {
            // Different sizes, so that unguarded calls would reallocate the shared buffers under each other.
            int[][] tokens = {{1, 2, 3}, new int[40]};
            for (int i = 0; i < 40; i++) tokens[1][i] = (i * 7) % TinyModels.CONFIG.vocabSize();
            float[][] expected = new float[2][];
            for (int i = 0; i < 2; i++) {
                session.truncate(0);
                expected[i] = session.forward(tokens[i], true);
            }
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            Thread[] threads = new Thread[2];
            for (int i = 0; i < 2; i++) {
                int me = i;
                threads[i] = new Thread(() -> {
                    for (int round = 0; round < 300 && unexpected.get() == null; round++) {
                        try (NativeSession.Claim claim = session.claim()) {
                            session.truncate(0);
                            assertArrayEquals(expected[me], session.forward(tokens[me], true), "round " + round);
                        } catch (CllmException e) {
                            if (e.status() != CllmException.Status.STATE) unexpected.compareAndSet(null, e);
                        } catch (Throwable e) {
                            unexpected.compareAndSet(null, e);
                        }
                    }
                });
            }
            for (Thread t : threads) t.start();
            for (Thread t : threads) t.join(60_000);
            if (unexpected.get() != null) throw new AssertionError("unexpected failure", unexpected.get());
        }
    }

    @Test
    void everyCallAfterCloseThrowsStateNeverNullPointer() {
        Model model = TinyModels.load(13);
        Session session = model.newSession(32);
        NativeSession engine = session.engine();
        session.close();
        session.close(); // harmless
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("generate", () -> session.generate(TinyModels.PROMPT, TinyModels.ar(5), null));
        calls.put("forward", () -> engine.forward(new int[] {1, 2}, true));
        calls.put("length", engine::length);
        calls.put("truncate", () -> engine.truncate(0));
        calls.put("jacobiStep", () -> engine.jacobiStep(new int[] {1, 2}, 2));
        calls.put("jacobiBlock", () -> engine.jacobiBlock(1, new int[] {2, 3}, 2, -1, true));
        calls.put("setCudaStream", () -> engine.setCudaStream(null));
        calls.put("claim", engine::claim);
        for (Map.Entry<String, Executable> call : calls.entrySet()) {
            CllmException e = assertThrows(CllmException.class, call.getValue(), call.getKey());
            assertEquals(CllmException.Status.STATE, e.status(), call.getKey());
            assertEquals("session is closed", e.getMessage(), call.getKey());
        }
        assertEquals(32, session.capacity(), "plain Java state stays readable");

        Session open = model.newSession(32);
        model.close();
        model.close(); // harmless
        assertTrue(open.isClosed(), "closing the model closed its session");
        CllmException e =
                assertThrows(CllmException.class, () -> open.generate(TinyModels.PROMPT, TinyModels.ar(5), null));
        assertEquals(CllmException.Status.STATE, e.status());
        assertEquals("model tiny-13 is closed", e.getMessage());
        e = assertThrows(CllmException.class, () -> open.engine().forward(new int[] {1}, false));
        assertEquals("session is closed", e.getMessage());
        e = assertThrows(CllmException.class, model::newSession);
        assertEquals(CllmException.Status.STATE, e.status());
        e = assertThrows(CllmException.class, () -> model.engine().newSession(8));
        assertEquals("model is closed", e.getMessage());
        e = assertThrows(CllmException.class, () -> model.engine().weightBytes());
        assertEquals("model is closed", e.getMessage());
    }
}
