package dev.cllm.train;

import dev.cllm.CllmException;
import dev.cllm.model.CheckpointWriter;
import dev.cllm.model.SafetensorsFile;
import dev.cllm.torch.TorchTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * AdamW (decoupled weight decay, bias-corrected moments) over named LibTorch parameters, written here so
 * that its state is plain tensors we can save with the checkpoint (as safetensors) and resume exactly.
 * Norm weights (1-D tensors) get no weight decay, as usual.
 */
public final class AdamW implements AutoCloseable {
    private final Map<String, Tensor> parameters;
    private final Map<String, Tensor> firstMoments = new LinkedHashMap<>();
    private final Map<String, Tensor> secondMoments = new LinkedHashMap<>();
    private final double beta1, beta2, eps, weightDecay;
    private long steps;

    public AdamW(Map<String, Tensor> parameters, double beta1, double beta2, double eps, double weightDecay) {
        this.parameters = new LinkedHashMap<>(parameters);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (Map.Entry<String, Tensor> e : this.parameters.entrySet()) {
            firstMoments.put(e.getKey(), keep(torch.zeros_like(e.getValue())));
            secondMoments.put(e.getKey(), keep(torch.zeros_like(e.getValue())));
        }
    }

    private static Tensor keep(Tensor t) {
        t.retainReference();
        return t;
    }

    public long steps() {
        return steps;
    }

    /**
     * Clips the global gradient norm to maxNorm (no clipping when {@code maxNorm <= 0}) and returns the norm before
     * clipping.
     */
    public double clipGradients(double maxNorm) {
        try (PointerScope scope = new PointerScope();
                NoGradGuard guard = new NoGradGuard()) {
            double sumSquares = 0;
            List<Tensor> grads = new ArrayList<>();
            for (Tensor p : parameters.values()) {
                Tensor g = p.grad();
                if (!g.defined()) continue;
                grads.add(g);
                double n = g.norm().item_double();
                sumSquares += n * n;
            }
            double norm = Math.sqrt(sumSquares);
            if (maxNorm > 0 && norm > maxNorm) {
                Scalar scale = new Scalar(maxNorm / (norm + 1e-6));
                for (Tensor g : grads) g.mul_(scale);
            }
            return norm;
        }
    }

    /** One update with learning rate lr; parameters without a gradient are left alone. */
    public void step(double lr) {
        steps++;
        double correction1 = 1 - Math.pow(beta1, steps), correction2 = 1 - Math.pow(beta2, steps);
        try (PointerScope scope = new PointerScope();
                NoGradGuard guard = new NoGradGuard()) {
            Scalar b1 = new Scalar(beta1), b2 = new Scalar(beta2);
            Scalar oneMinusB1 = new Scalar(1 - beta1), oneMinusB2 = new Scalar(1 - beta2);
            Scalar stepSize = new Scalar(-lr / correction1);
            Scalar sqrtCorrection2 = new Scalar(Math.sqrt(correction2));
            Scalar epsilon = new Scalar(eps);
            Scalar decay = new Scalar(1 - lr * weightDecay);
            for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
                Tensor p = e.getValue();
                Tensor g = p.grad();
                if (!g.defined()) continue;
                Tensor m = firstMoments.get(e.getKey()), v = secondMoments.get(e.getKey());
                m.mul_(b1).add_(g, oneMinusB1);
                v.mul_(b2).addcmul_(g, g, oneMinusB2);
                Tensor denominator = v.sqrt().div_(sqrtCorrection2).add_(epsilon);
                if (weightDecay > 0 && p.dim() > 1) p.mul_(decay);
                p.addcdiv_(m, denominator, stepSize);
            }
        }
    }

    /** Saves the moments (as safetensors, names m.* and v.*) and the step count. */
    public void save(Path file) {
        Map<String, dev.cllm.model.Tensor> tensors = new LinkedHashMap<>();
        for (String name : parameters.keySet()) {
            tensors.put("m." + name, TorchTensors.toModel("m." + name, firstMoments.get(name)));
            tensors.put("v." + name, TorchTensors.toModel("v." + name, secondMoments.get(name)));
        }
        CheckpointWriter.writeSafetensors(
                tensors, file, null, Map.of("steps", Long.toString(steps), "format", "cllm-adamw"));
    }

    /** Loads state saved by {@link #save}; every parameter must be there with its shape. */
    public void load(Path file) {
        SafetensorsFile f = SafetensorsFile.open(file);
        try (NoGradGuard guard = new NoGradGuard()) {
            for (String name : parameters.keySet()) {
                copyInto(f, "m." + name, firstMoments.get(name), file);
                copyInto(f, "v." + name, secondMoments.get(name), file);
            }
        }
        String s = f.metadata().get("steps");
        if (s == null) throw CllmException.badFormat(file, "optimizer state has no step count");
        steps = Long.parseLong(s);
    }

    private static void copyInto(SafetensorsFile f, String name, Tensor target, Path file) {
        dev.cllm.model.Tensor saved = f.tensors().get(name);
        if (saved == null) throw CllmException.badFormat(file, "optimizer state lacks " + name);
        if (!java.util.Arrays.equals(saved.shape(), TorchTensors.shape(target))) {
            throw CllmException.badFormat(file, "optimizer state " + name + " has the wrong shape");
        }
        try (PointerScope scope = new PointerScope()) {
            target.copy_(TorchTensors.fromModel(saved));
        }
    }

    @Override
    public void close() {
        firstMoments.values().forEach(Tensor::close);
        secondMoments.values().forEach(Tensor::close);
    }
}
