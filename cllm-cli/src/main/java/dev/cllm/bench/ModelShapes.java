package dev.cllm.bench;

import dev.cllm.model.LlamaConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Named model shapes for random-weight benchmarks ({@code --random NAME}): the rows of the preset table
 * shared with the native benchmarks, {@code native/bench/model-presets.tsv}, which the build copies into
 * this jar as {@value #RESOURCE}.
 */
public final class ModelShapes {
    /** The preset table, as a class-path resource. */
    public static final String RESOURCE = "/dev/cllm/bench/model-presets.tsv";

    private static final Map<String, LlamaConfig> SHAPES = Collections.unmodifiableMap(parse(readTable()));

    private ModelShapes() {}

    public static LlamaConfig get(String name) {
        LlamaConfig c = SHAPES.get(name.toLowerCase(Locale.ROOT));
        if (c == null) {
            throw new IllegalArgumentException(
                    "unknown model shape '" + name + "'; known: " + String.join(", ", SHAPES.keySet()));
        }
        return c;
    }

    public static Iterable<String> names() {
        return SHAPES.keySet();
    }

    /** Every preset in table order. */
    public static Map<String, LlamaConfig> all() {
        return SHAPES;
    }

    private static String readTable() {
        try (InputStream in = ModelShapes.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("the jar lacks " + RESOURCE + " (a broken build)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * The rows of a preset table: '#' comments and blank lines aside, each line holds a name, dim,
     * hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, max_seq_len, tied or untied, and a description.
     */
    static Map<String, LlamaConfig> parse(String table) {
        Map<String, LlamaConfig> shapes = new LinkedHashMap<>();
        String[] lines = table.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("\\s+", 10);
            if (f.length < 10 || !(f[8].equals("tied") || f[8].equals("untied"))) {
                throw new IllegalStateException(RESOURCE + ":" + (i + 1) + ": not a preset row: " + line);
            }
            int[] n = new int[7];
            for (int k = 0; k < 7; k++) n[k] = Integer.parseInt(f[k + 1]);
            shapes.put(
                    f[0],
                    LlamaConfig.of(n[0], n[1], n[2], n[3], n[4], n[5], n[6], f[8].equals("tied"))
                            .validate());
        }
        return shapes;
    }
}
