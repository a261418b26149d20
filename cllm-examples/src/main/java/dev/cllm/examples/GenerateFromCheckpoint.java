package dev.cllm.examples;

import dev.cllm.Cllm;
import dev.cllm.Decoding;
import dev.cllm.Device;
import dev.cllm.Generation;
import dev.cllm.Model;
import dev.cllm.Session;
import java.nio.file.Path;

/**
 * The example of {@link Cllm}'s Javadoc: loads the checkpoint named by the first argument and continues
 * the prompt given as the second with Jacobi decoding.
 */
public final class GenerateFromCheckpoint {
    public static void main(String[] args) {
        try (Model model = Cllm.load(Path.of(args[0]), Device.auto());
                Session session = model.newSession()) {
            Generation g = session.generate(
                    args[1], Decoding.jacobi().withMaxNewTokens(256), token -> System.out.print(token.text()));
            System.out.println(g.stats().tokensPerIteration());
        }
    }
}
