package dev.cllm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cllm.CllmException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing the native (DJL) tokenizer while other threads encode is safe, and use after close throws
 * CllmException STATE (DJL itself would throw IllegalStateException, or free the tokenizer under a call).
 */
class HfTokenizerCloseTest {
    @Test
    void closeWhileEncodingOnOtherThreadsThenUseAfterClose(@TempDir Path dir) throws Exception {
        HfTokenizer t = Tokenizers.load(TestTokenizerFiles.llamaStyle(dir));
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        CountDownLatch running = new CountDownLatch(2);
        Thread[] threads = new Thread[2];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                running.countDown();
                try {
                    while (true) t.decode(t.encode("hello world hello world"));
                } catch (CllmException e) {
                    if (e.status() != CllmException.Status.STATE) unexpected.set(e);
                } catch (Throwable e) {
                    unexpected.set(e);
                }
            });
            threads[i].start();
        }
        running.await();
        Thread.sleep(20);
        t.close();
        for (Thread thread : threads) thread.join(30_000);
        assertNull(unexpected.get());
        for (Runnable call : new Runnable[] {
            () -> t.encode("hello"), () -> t.encodeWithoutSpecialTokens("hello"), () -> t.decode(new int[] {5})
        }) {
            CllmException e = assertThrows(CllmException.class, call::run);
            assertEquals("tokenizer is closed", e.getMessage());
        }
        t.close(); // harmless
    }
}
