package dev.cllm.examples;

import dev.cllm.Decoding;
import dev.cllm.Device;
import dev.cllm.Generation;
import dev.cllm.Model;
import dev.cllm.Session;
import dev.cllm.decode.DecodeStats;
import dev.cllm.models.EmbeddedModels;

/** Jacobi decoding with the embedded CLLM: the tokens stream to stdout, then the statistics. */
public final class QuickStart {
    public static void main(String[] args) {
        String prompt = "Question: Leo buys 4 sandwiches for $8 each and 3 candles for $5 each. "
                + "How much money does he spend in total?\nAnswer:";
        try (Model model = EmbeddedModels.load(EmbeddedModels.CLLM, Device.auto());
                Session session = model.newSession()) {
            Generation g = session.generate(
                    prompt, Decoding.jacobi().withMaxNewTokens(256), token -> System.out.print(token.text()));
            DecodeStats stats = g.stats();
            System.out.printf(
                    "%n%d tokens in %d iterations: %.2f tokens/iteration, %.0f tokens/s%n",
                    stats.tokens(), stats.iterations(), stats.tokensPerIteration(), stats.tokensPerSecond());
        }
    }
}
