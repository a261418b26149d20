package dev.cllm.torch;

import dev.cllm.model.LlamaConfig;
import java.lang.management.ManagementFactory;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Forward + backward throughput of {@link TorchLlama} (a benchmark, not a test; run by hand):
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) dev.cllm.torch.TorchLlamaThroughput [batch] [length] [steps] [tied|untied] [adamw]
 * </pre>
 * Default: the ~5M-parameter shape (dim 256, 6 layers, 8 heads, 4 KV heads, hidden 688, vocab 2048),
 * batch 8 x 256 tokens, next-token cross-entropy on random tokens. Threads: -Dcllm.torch.threads (intra-op),
 * -Dcllm.torch.blasThreads (OpenBLAS); see {@link TorchRuntime}.
 */
public final class TorchLlamaThroughput {
    private TorchLlamaThroughput() {}

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int length = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        boolean tied = args.length <= 3 || !args[3].equals("untied");
        boolean adamw = args.length > 4 && args[4].equals("adamw");
        LlamaConfig config =
                new LlamaConfig(256, 688, 6, 8, 4, 32, 2048, Math.max(256, length), 10000f, 1e-5f, tied, -1, -1);
        TorchRuntime.manualSeed(1);
        System.out.printf(
                "threads %d intra-op + %d OpenBLAS, batch %d x %d tokens, %s head, %s%n",
                TorchRuntime.threads(),
                TorchRuntime.blasThreads(),
                batch,
                length,
                tied ? "tied" : "untied",
                adamw ? "with AdamW step" : "forward+backward only");
        try (TorchLlama model = TorchLlama.random(config, 1).setRequiresGrad(true);
                TensorVector parameters = new TensorVector(model.parameters().toArray(new Tensor[0]));
                AdamW optimizer = adamw ? new AdamW(parameters, new AdamWOptions(1e-4)) : null;
                Tensor tokens = torch.randint(
                        config.vocabSize(), new long[] {batch, length}, new TensorOptions(torch.ScalarType.Long))) {
            System.out.printf("parameters %d%n", model.parameterCount());
            double bestWall = Double.MAX_VALUE, totalWall = 0;
            int measured = 0;
            for (int step = 0; step < steps; step++) {
                long wall0 = System.nanoTime(), cpu0 = cpuNanos();
                double forward, loss;
                try (PointerScope scope = new PointerScope()) {
                    Tensor logits = model.forward(tokens);
                    Tensor l = Losses.nextTokenCrossEntropy(logits, tokens, null);
                    loss = l.item_float();
                    forward = (System.nanoTime() - wall0) / 1e9;
                    l.backward();
                    if (optimizer != null) optimizer.step();
                    model.zeroGrad();
                }
                double wall = (System.nanoTime() - wall0) / 1e9, cpu = (cpuNanos() - cpu0) / 1e9;
                System.out.printf(
                        "step %d loss %.4f forward %.3f s, total %.3f s (cpu %.2f s): %.0f tokens/s%n",
                        step, loss, forward, wall, cpu, batch * length / wall);
                if (step >= 1) {
                    bestWall = Math.min(bestWall, wall);
                    totalWall += wall;
                    measured++;
                }
            }
            if (measured > 0) {
                System.out.printf(
                        "after warm-up: mean %.0f tokens/s, best %.0f tokens/s%n",
                        measured * batch * length / totalWall, batch * length / bestWall);
            }
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
