package dev.cllm.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sharded safetensors checkpoint: {@code model.safetensors.index.json} whose {@code weight_map} maps
 * each tensor name to a shard file in the same directory. Each shard is opened (and validated) once.
 */
public final class ShardedSafetensors {
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private ShardedSafetensors() {}

    /** Loads every tensor the index lists, in index order. Errors name the index, the shard and the tensor. */
    public static Map<String, Tensor> load(Path indexFile) {
        JsonObject root = JsonFiles.readObject(indexFile);
        JsonElement map = root.get("weight_map");
        if (map == null || !map.isJsonObject()) {
            throw CllmException.badFormat(
                    indexFile,
                    "missing or malformed \"weight_map\" (expected an object of " + "tensor name -> shard file)");
        }
        Path dir = indexFile.toAbsolutePath().getParent();
        Map<String, SafetensorsFile> shards = new HashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : map.getAsJsonObject().entrySet()) {
            String name = e.getKey();
            JsonElement value = e.getValue();
            if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
                throw CllmException.badFormat(indexFile, "weight_map entry for " + name + " must be a file name");
            }
            String shardName = value.getAsString();
            SafetensorsFile shard = shards.get(shardName);
            if (shard == null) {
                Path shardPath = dir.resolve(shardName).normalize();
                if (shardName.isEmpty() || !dir.equals(shardPath.getParent())) {
                    throw CllmException.badFormat(
                            indexFile, "shard '" + shardName + "' of tensor " + name + " is not a file name in " + dir);
                }
                if (!Files.isRegularFile(shardPath)) {
                    throw CllmException.badFormat(
                            indexFile, "missing shard " + shardName + " (holding tensor " + name + ")");
                }
                shard = SafetensorsFile.open(shardPath);
                shards.put(shardName, shard);
            }
            Tensor t = shard.tensor(name);
            if (t == null) {
                throw CllmException.badFormat(
                        shard.path(),
                        "tensor " + name + " is missing from this shard, but " + INDEX_FILE + " says it is here");
            }
            tensors.put(name, t);
        }
        return tensors;
    }
}
