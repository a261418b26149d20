package dev.cllm.bench;

import dev.cllm.model.LlamaConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/** Named model shapes for random-weight benchmarks ({@code --random NAME}). */
public final class ModelShapes {
    private ModelShapes() {}

    private static final Map<String, LlamaConfig> SHAPES = new LinkedHashMap<>();

    static {
        // llama2.c's stories110M: dim 768, 12 layers, 12 heads, hidden 2048, vocab 32000, shared classifier.
        SHAPES.put("110m", LlamaConfig.of(768, 2048, 12, 12, 12, 32000, 1024, true));
        SHAPES.put("15m", LlamaConfig.of(288, 768, 6, 6, 6, 32000, 256, true));
        SHAPES.put("tiny", LlamaConfig.of(64, 172, 2, 4, 2, 512, 512, false));
        SHAPES.put("1b", LlamaConfig.of(2048, 5632, 22, 32, 4, 32000, 2048, false));
        SHAPES.put("7b", LlamaConfig.of(4096, 11008, 32, 32, 32, 32000, 4096, false));
    }

    public static LlamaConfig get(String name) {
        LlamaConfig c = SHAPES.get(name.toLowerCase(java.util.Locale.ROOT));
        if (c == null) {
            throw new IllegalArgumentException("unknown model shape '" + name + "'; known: " + String.join(", ", SHAPES.keySet()));
        }
        return c;
    }

    public static Iterable<String> names() {
        return SHAPES.keySet();
    }
}
