package dev.cllm.train;

import dev.cllm.torch.Losses;
import dev.cllm.torch.TorchLlama;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;

/**
 * Next-token pre-training on a corpus of documents (token ids, each starting with BOS and ending with
 * EOS). Every row starts at a random document and runs on through the following ones until it holds
 * {@code length} tokens, so rows always begin where inference begins: at BOS.
 */
public final class PretrainTask implements TrainingTask {
    private final List<int[]> documents;
    private final int length;

    public PretrainTask(List<int[]> documents, int length) {
        if (documents.isEmpty()) throw new IllegalArgumentException("the corpus holds no documents");
        if (length < 2) throw new IllegalArgumentException("sequence length must be >= 2, got " + length);
        this.documents = List.copyOf(documents);
        this.length = length;
    }

    @Override
    public List<String> lossNames() {
        return List.of("loss");
    }

    @Override
    public StepLoss loss(TorchLlama model, SplittableRandom random, int batchSize) {
        int[][] rows = new int[batchSize][length];
        for (int b = 0; b < batchSize; b++) {
            int filled = 0;
            for (int d = random.nextInt(documents.size()); filled < length; d = (d + 1) % documents.size()) {
                int[] doc = documents.get(d);
                int n = Math.min(doc.length, length - filled);
                System.arraycopy(doc, 0, rows[b], filled, n);
                filled += n;
            }
        }
        SequenceBatch batch = new SequenceBatch(rows, 0);
        Tensor tokens = batch.tokensTensor();
        Tensor loss = Losses.nextTokenCrossEntropy(model.forward(tokens), tokens, null);
        return new StepLoss(loss, new double[] {loss.item_double()});
    }
}
