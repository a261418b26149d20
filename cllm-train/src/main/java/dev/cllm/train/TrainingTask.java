package dev.cllm.train;

import com.google.gson.JsonObject;
import dev.cllm.torch.TorchLlama;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;

/**
 * What a {@link Trainer} optimises: it draws a batch and returns the loss to minimise plus the values to
 * log. Implementations: {@link PretrainTask} (next-token loss on a corpus) and {@link ConsistencyTask}
 * (the CLLM losses on Jacobi trajectories).
 */
public interface TrainingTask {
    /** Names of the logged values, in the order of {@link StepLoss#values()}; the first is the total. */
    List<String> lossNames();

    /**
     * Draws batchSize examples with random and computes their loss (differentiable). Tensors belong to the
     * caller's PointerScope.
     */
    StepLoss loss(TorchLlama model, SplittableRandom random, int batchSize);

    /**
     * Where the task's data stream stands, saved with each checkpoint so a resumed run draws the same
     * examples; null for a task that draws every example from the step's random alone.
     */
    default JsonObject dataState() {
        return null;
    }

    /** Continues the data stream from a state {@link #dataState()} returned. */
    default void restoreData(JsonObject state) {}

    /** The differentiable total and the values to log. */
    record StepLoss(Tensor total, double[] values) {}
}
