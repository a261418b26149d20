package dev.cllm.decode;

import dev.cllm.engine.NativeSession;
import java.util.Arrays;

/** Greedy AR decoding written independently of the decoders: full logits to Java, argmax here. */
final class GreedyReference {
    private GreedyReference() {}

    /** Tokens up to (excluding) eos or the limit or a full cache. */
    static int[] generate(NativeSession session, int[] prompt, int eos, int maxNewTokens) {
        int vocab = session.model().config().vocabSize();
        session.truncate(0);
        float[] logits = session.forward(prompt, true);
        int[] out = new int[maxNewTokens];
        int count = 0;
        int next = argmax(logits, (prompt.length - 1) * vocab, vocab);
        while (count < maxNewTokens && next != eos) {
            out[count++] = next;
            if (count == maxNewTokens || session.length() >= session.capacity()) break;
            logits = session.forward(new int[] {next}, true);
            next = argmax(logits, 0, vocab);
        }
        return Arrays.copyOf(out, count);
    }

    static int argmax(float[] values, int offset, int length) {
        int best = 0;
        for (int i = 1; i < length; i++) {
            if (values[offset + i] > values[offset + best]) best = i;
        }
        return best;
    }
}
