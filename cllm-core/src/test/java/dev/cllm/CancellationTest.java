package dev.cllm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.decode.StopReason;
import dev.cllm.decode.WindowMode;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Cancellation: a {@link Cancellation} (from the listener, from another thread, before the start) or an
 * interrupt of the generating thread stops the generation with {@link StopReason#CANCELLED}, the tokens
 * so far (a prefix of the full output) and no token after the request; the session stays usable.
 */
class CancellationTest {
    private static final List<Decoding> DECODINGS = List.of(
            TinyModels.ar(120), TinyModels.jacobi(120), TinyModels.jacobi(120).withWindow(WindowMode.SHRINK));

    @Test
    void cancellingFromTheListenerStopsAfterThatToken() {
        try (Model model = TinyModels.load(3);
                Session session = model.newSession()) {
            for (Decoding decoding : DECODINGS) {
                int[] full = session.generate(TinyModels.PROMPT, decoding, null).tokens();
                Cancellation cancellation = new Cancellation();
                AtomicInteger seen = new AtomicInteger();
                Generation g = session.generate(
                        TinyModels.PROMPT,
                        decoding,
                        token -> {
                            if (seen.incrementAndGet() == 5) cancellation.cancel();
                        },
                        null,
                        cancellation);
                assertEquals(StopReason.CANCELLED, g.stopReason(), decoding.toString());
                assertEquals(5, seen.get(), decoding + ": no token after the cancel");
                assertArrayEquals(Arrays.copyOf(full, 5), g.tokens(), decoding + ": a prefix of the full output");
                assertTrue(g.stats().iterations() <= 5, decoding + ": stopped before more passes");
                // The session is not harmed: the next generation runs in full.
                assertArrayEquals(
                        full,
                        session.generate(TinyModels.PROMPT, decoding, null).tokens(),
                        decoding.toString());
            }
        }
    }

    @Test
    void aCancelledCancellationStopsBeforeAnyPass() {
        try (Model model = TinyModels.load(4);
                Session session = model.newSession()) {
            Cancellation cancellation = new Cancellation();
            cancellation.cancel();
            for (Decoding decoding : DECODINGS) {
                Generation g = session.generate(
                        TinyModels.PROMPT,
                        decoding,
                        token -> {
                            throw new AssertionError("no token expected");
                        },
                        null,
                        cancellation);
                assertEquals(StopReason.CANCELLED, g.stopReason());
                assertEquals(0, g.tokens().length);
                assertEquals(0, g.stats().iterations());
            }
        }
    }

    @Test
    void cancellingFromAnotherThreadStopsTheGeneration() throws Exception {
        try (Model model = TinyModels.load(5);
                Session session = model.newSession()) {
            Cancellation cancellation = new Cancellation();
            CountDownLatch third = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            AtomicInteger seen = new AtomicInteger();
            AtomicReference<Generation> result = new AtomicReference<>();
            Thread t = new Thread(() -> result.set(session.generate(
                    TinyModels.PROMPT,
                    TinyModels.jacobi(400),
                    token -> {
                        if (seen.incrementAndGet() == 3) {
                            third.countDown();
                            awaitQuietly(cancelled);
                        }
                    },
                    null,
                    cancellation)));
            t.start();
            assertTrue(third.await(30, TimeUnit.SECONDS));
            cancellation.cancel();
            cancelled.countDown();
            t.join(30_000);
            assertEquals(StopReason.CANCELLED, result.get().stopReason());
            assertEquals(3, result.get().tokens().length);
        }
    }

    @Test
    void interruptingTheGeneratingThreadCancelsAndKeepsTheFlag() {
        try (Model model = TinyModels.load(6);
                Session session = model.newSession()) {
            for (Decoding decoding : DECODINGS) {
                AtomicInteger seen = new AtomicInteger();
                Generation g = session.generate(TinyModels.PROMPT, decoding, token -> {
                    if (seen.incrementAndGet() == 4) Thread.currentThread().interrupt();
                });
                assertTrue(Thread.interrupted(), "the interrupt flag stays set (and is cleared here)");
                assertEquals(StopReason.CANCELLED, g.stopReason(), decoding.toString());
                assertEquals(4, g.tokens().length, decoding.toString());
            }
        }
    }

    @Test
    void interruptFromAnotherThreadStopsALongGeneration() throws Exception {
        try (Model model = TinyModels.load(7);
                Session session = model.newSession()) {
            CountDownLatch firstToken = new CountDownLatch(1);
            AtomicReference<Generation> result = new AtomicReference<>();
            AtomicBoolean flagKept = new AtomicBoolean();
            // A slow listener (1 ms a token, 500 tokens) makes sure the interrupt arrives mid-generation;
            // parkNanos returns early when interrupted and leaves the flag set.
            Thread t = new Thread(() -> {
                result.set(session.generate(TinyModels.PROMPT, TinyModels.ar(500), token -> {
                    firstToken.countDown();
                    LockSupport.parkNanos(1_000_000);
                }));
                flagKept.set(Thread.currentThread().isInterrupted());
            });
            t.start();
            assertTrue(firstToken.await(30, TimeUnit.SECONDS));
            t.interrupt();
            t.join(30_000);
            assertEquals(StopReason.CANCELLED, result.get().stopReason());
            assertTrue(result.get().tokens().length < 500);
            assertTrue(flagKept.get());
        }
    }

    @Test
    void anUncancelledCancellationChangesNothing() {
        try (Model model = TinyModels.load(8);
                Session session = model.newSession()) {
            Generation plain = session.generate(TinyModels.PROMPT, TinyModels.jacobi(60), null);
            Cancellation unused = new Cancellation();
            Generation with = session.generate(TinyModels.PROMPT, TinyModels.jacobi(60), null, null, unused);
            assertArrayEquals(plain.tokens(), with.tokens());
            assertEquals(StopReason.MAX_TOKENS, with.stopReason());
            assertFalse(unused.isCancelled());
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
