package dev.cllm.cli;

import dev.cllm.model.GgmlType;
import dev.cllm.model.GgufFile;
import dev.cllm.model.GgufMetadata;
import dev.cllm.model.GgufNames;
import dev.cllm.model.GgufTensorInfo;
import dev.cllm.model.GgufValue;
import dev.cllm.tokenizer.GgufVocabulary;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/** The GGUF part of {@code cllm info}: file version, general metadata, tensor types and the file's tokenizer. */
final class GgufInfo {
    private GgufInfo() {}

    static void print(Path file, BiConsumer<String, Object> line) {
        GgufFile gguf = GgufFile.readHeader(file);
        GgufMetadata m = new GgufMetadata(gguf.metadata(), file);
        line.accept("gguf_version", gguf.version());
        line.accept(
                "gguf_metadata",
                gguf.metadata().size() + " keys, " + gguf.tensors().size() + " tensors, alignment " + gguf.alignment());
        for (String key : new String[] {GgufNames.NAME, GgufNames.FILE_TYPE, "general.quantization_version"}) {
            GgufValue v = gguf.metadata().get(key);
            if (v != null) line.accept(key, v.describe());
        }
        Map<GgmlType, Integer> types = new EnumMap<>(GgmlType.class);
        for (GgufTensorInfo t : gguf.tensors().values()) types.merge(t.type(), 1, Integer::sum);
        StringBuilder sb = new StringBuilder();
        types.forEach((t, n) -> sb.append(sb.length() == 0 ? "" : ", ")
                .append(t)
                .append(" (")
                .append(n)
                .append(")"));
        line.accept("gguf_tensor_types", sb);
        Optional<GgufVocabulary> vocab = GgufVocabulary.read(m, file);
        if (vocab.isEmpty()) {
            line.accept("tokenizer", "none in the file (token ids only)");
            return;
        }
        GgufVocabulary v = vocab.get();
        line.accept("tokenizer", "gguf " + v.model() + (v.pre() == null ? "" : " (pre " + v.pre() + ")"));
        line.accept("tokenizer_vocab", v.size());
        line.accept(
                "tokenizer_bos",
                v.bosId() < 0 ? "none" : v.bosId() + " " + v.tokens()[v.bosId()] + (v.addBos() ? " (added)" : ""));
        line.accept("tokenizer_eos", v.eosId() < 0 ? "none" : v.eosId() + " " + v.tokens()[v.eosId()]);
    }
}
