package dev.cllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cllm.decode.StopReason;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.RandomWeights;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Closing a model or a session while another thread generates on it: the generation ends with a
 * {@link CllmException} (STATE) at its next native call, and nothing crashes. Before the handles had
 * guards, every one of these crashed the JVM (SIGSEGV in the attention kernel: the session was freed
 * under a running forward), which fails the build because surefire's forked JVM dies.
 */
class ConcurrentCloseTest {
    /** Runs body on a new thread and returns what it threw (null when it returned normally). */
    private static Thread start(AtomicReference<Throwable> failure, Runnable body) {
        Thread t = new Thread(
                () -> {
                    try {
                        body.run();
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                },
                "generator");
        t.start();
        return t;
    }

    @Test
    void closingTheSessionFromAnotherThreadEndsTheGenerationWithSessionClosed() throws Exception {
        for (boolean jacobi : new boolean[] {false, true}) {
            try (Model model = TinyModels.load(1);
                    Session session = model.newSession()) {
                CountDownLatch firstToken = new CountDownLatch(1);
                CountDownLatch closed = new CountDownLatch(1);
                AtomicReference<Throwable> failure = new AtomicReference<>();
                AtomicReference<Generation> result = new AtomicReference<>();
                Thread t = start(
                        failure,
                        () -> result.set(session.generate(
                                TinyModels.PROMPT, jacobi ? TinyModels.jacobi(300) : TinyModels.ar(300), token -> {
                                    firstToken.countDown();
                                    await(closed); // the close happens between two native calls
                                })));
                assertTrue(firstToken.await(30, TimeUnit.SECONDS));
                session.close();
                closed.countDown();
                t.join(30_000);
                assertNull(result.get(), "no result after the session was closed");
                CllmException e = assertInstanceOf(CllmException.class, failure.get());
                assertEquals(CllmException.Status.STATE, e.status());
                assertEquals("session is closed", e.getMessage());
                assertTrue(session.isClosed());
                assertTrue(!model.isClosed(), "closing a session leaves its model open");
                try (Session again = model.newSession(16)) {
                    assertEquals(
                            3,
                            again.generate(TinyModels.PROMPT, TinyModels.ar(3), null)
                                    .tokens()
                                    .length);
                }
            }
        }
    }

    @Test
    void closingTheModelClosesItsSessionsAndEndsTheirGenerations() throws Exception {
        Model model = TinyModels.load(2);
        Session session = model.newSession();
        CountDownLatch firstToken = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = start(
                failure,
                () -> session.generate(TinyModels.PROMPT, TinyModels.jacobi(300), token -> {
                    firstToken.countDown();
                    await(closed);
                }));
        assertTrue(firstToken.await(30, TimeUnit.SECONDS));
        model.close();
        closed.countDown();
        t.join(30_000);
        CllmException e = assertInstanceOf(CllmException.class, failure.get());
        assertEquals(CllmException.Status.STATE, e.status());
        assertTrue(session.isClosed() && model.isClosed());
    }

    /**
     * Many generate-on-one-thread / close-on-another rounds at random moments (random target, decoder
     * and delay): each generation either finishes normally or fails with CllmException STATE; no other
     * outcome, no crash.
     */
    @Test
    void randomCloseDuringGenerationNeverCrashes() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        int stoppedByClose = 0, finished = 0;
        ModelWeights weights = RandomWeights.create(TinyModels.CONFIG, 9);
        for (int round = 0; round < 150; round++) {
            Model model = TinyModels.load(weights, "tiny");
            Session session = model.newSession();
            Decoding decoding = switch (random.nextInt(3)) {
                case 0 -> TinyModels.ar(200);
                case 1 -> TinyModels.jacobi(200);
                default -> TinyModels.jacobi(200).withWindow(dev.cllm.decode.WindowMode.SHRINK);
            };
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<Generation> result = new AtomicReference<>();
            Thread t = start(failure, () -> {
                started.countDown();
                result.set(session.generate(TinyModels.PROMPT, decoding, null));
            });
            started.await();
            LockSupport.parkNanos(random.nextLong(3_000_000));
            boolean closeModel = random.nextBoolean();
            if (closeModel) model.close();
            else session.close();
            t.join(30_000);
            assertTrue(!t.isAlive(), "round " + round + ": the generation ended");
            Throwable e = failure.get();
            if (e == null) {
                assertEquals(StopReason.MAX_TOKENS, result.get().stopReason(), "round " + round);
                finished++;
            } else {
                if (!(e instanceof CllmException c) || c.status() != CllmException.Status.STATE) {
                    fail(
                            "round " + round + " (closing the " + (closeModel ? "model" : "session") + ", " + decoding
                                    + ") ended with " + e,
                            e);
                } else {
                    assertTrue(c.getMessage().contains("is closed"), c.getMessage());
                }
                stoppedByClose++;
            }
            model.close();
        }
        System.out.println("ConcurrentCloseTest: " + stoppedByClose + " generations stopped by a close, " + finished
                + " finished first");
        assertTrue(stoppedByClose > 0, "some closes hit a running generation (" + finished + " finished first)");
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) throw new AssertionError("timed out");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
