package dev.cllm.model;

import dev.cllm.CllmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a Hugging Face Llama checkpoint: {@code config.json} plus {@code model.safetensors} or a sharded
 * {@code model.safetensors.index.json}. Tensors stay memory-mapped. The config is checked first (sizes
 * within {@link ModelLimits}), then the tensors against it, before anything is built per layer: fewer
 * layers than {@code num_hidden_layers}, a missing or mis-shaped tensor, a layer beyond it, or a missing
 * {@code lm_head.weight} without {@code tie_word_embeddings} is BAD_FORMAT naming the tensor; bias
 * tensors are UNSUPPORTED.
 */
public final class HfCheckpoint {
    public static final String SAFETENSORS_FILE = "model.safetensors";
    private static final Pattern LAYER = Pattern.compile("^model\\.layers\\.(\\d+)\\.");

    private HfCheckpoint() {}

    /** Loads a checkpoint directory. */
    public static ModelWeights load(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        Path single = dir.resolve(SAFETENSORS_FILE);
        Path index = dir.resolve(ShardedSafetensors.INDEX_FILE);
        if (Files.isRegularFile(single)) return load(dir.resolve(HfConfig.FILE_NAME), single);
        if (Files.isRegularFile(index)) return load(dir.resolve(HfConfig.FILE_NAME), index);
        if (Files.exists(dir.resolve("pytorch_model.bin"))
                || Files.exists(dir.resolve("pytorch_model.bin.index.json"))) {
            throw new CllmException(
                    CllmException.Status.UNSUPPORTED,
                    dir + ": PyTorch pickle checkpoints "
                            + "(pytorch_model.bin) are not supported; convert them to safetensors");
        }
        throw CllmException.badFormat(dir, "no " + SAFETENSORS_FILE + " or " + ShardedSafetensors.INDEX_FILE);
    }

    /**
     * Loads config.json with the given weights file: a {@code .safetensors} file, or a
     * {@code model.safetensors.index.json} of shards.
     */
    public static ModelWeights load(Path configFile, Path weightsFile) {
        HfConfig hf = HfConfig.read(configFile);
        Map<String, Tensor> all = weightsFile.getFileName().toString().endsWith(".index.json")
                ? ShardedSafetensors.load(weightsFile)
                : SafetensorsFile.open(weightsFile).tensors();
        return assemble(hf.config(), all, weightsFile.toString());
    }

    /** Checks the tensors against the config and keeps the ones the model uses. */
    static ModelWeights assemble(LlamaConfig config, Map<String, Tensor> all, String source) {
        long layersInFile = 0;
        for (String name : all.keySet()) {
            Matcher m = LAYER.matcher(name);
            if (m.find()) {
                long layer;
                try {
                    layer = Long.parseLong(m.group(1));
                } catch (NumberFormatException e) {
                    layer = Long.MAX_VALUE;
                }
                if (layer >= config.nLayers()) {
                    throw CllmException.badFormat(
                            source,
                            "tensor " + name + " belongs to layer " + m.group(1)
                                    + " but the config has num_hidden_layers " + config.nLayers());
                }
                layersInFile = Math.max(layersInFile, layer + 1);
            }
            if ((name.startsWith("model.") || name.startsWith("lm_head.")) && name.endsWith(".bias")) {
                throw new CllmException(
                        CllmException.Status.UNSUPPORTED,
                        source + ": tensor " + name + ": bias tensors are not supported");
            }
        }
        if (layersInFile < config.nLayers()) {
            throw CllmException.badFormat(
                    source,
                    "missing tensor " + TensorNames.attnNorm((int) layersInFile)
                            + ": the config has num_hidden_layers " + config.nLayers()
                            + " but the file's tensors stop at "
                            + (layersInFile == 0 ? "no layer at all" : "layer " + (layersInFile - 1)));
        }
        if (!config.tiedEmbeddings() && !all.containsKey(TensorNames.LM_HEAD)) {
            throw CllmException.badFormat(
                    source, "missing tensor " + TensorNames.LM_HEAD + " and tie_word_embeddings is false");
        }
        Map<String, Tensor> used = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : ModelWeights.expectedShapes(config)) {
            Tensor t = all.get(e.getKey());
            if (t != null) used.put(e.getKey(), t);
        }
        // With tied embeddings transformers ignores a stored lm_head.weight (it ties it to the embedding).
        return new ModelWeights(config, used, source).validate();
    }
}
