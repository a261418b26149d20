package dev.cllm.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small tokenizer.json files written by the tests themselves. */
final class TestTokenizerFiles {
    private TestTokenizerFiles() {}

    /** Number of ids in {@link #llamaStyle}. */
    static final int LLAMA_STYLE_VOCAB = 3 + 256 + 8 + 10;

    /**
     * A Llama-style (SentencePiece-converted) BPE: byte fallback, "▁" for spaces, a TemplateProcessing
     * post-processor that adds {@code <s>}; ids 0 {@code <unk>}, 1 {@code <s>}, 2 {@code </s>}, 3..258 the
     * byte tokens {@code <0x00>}..{@code <0xFF>}.
     */
    static Path llamaStyle(Path dir) throws IOException {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        for (int b = 0; b < 256; b++) tokens.add(String.format("<0x%02X>", b));
        tokens.addAll(List.of("▁", "h", "e", "l", "o", "w", "r", "d"));
        String[][] merges = {
            {"▁", "h"},
            {"l", "l"},
            {"ll", "o"},
            {"e", "llo"},
            {"▁h", "ello"},
            {"▁", "w"},
            {"o", "r"},
            {"▁w", "or"},
            {"l", "d"},
            {"▁wor", "ld"}
        };
        List<String> mergeList = new ArrayList<>();
        for (String[] m : merges) {
            tokens.add(m[0] + m[1]);
            mergeList.add(m[0] + " " + m[1]);
        }
        return llamaStyle(dir, tokens, mergeList);
    }

    /**
     * A Llama-style tokenizer.json of these tokens (ids in list order; the first three must be {@code <unk>},
     * {@code <s>}, {@code </s>}) and merges ("left right", in rank order).
     */
    static Path llamaStyle(Path dir, List<String> tokens, List<String> merges) throws IOException {
        JsonObject vocab = new JsonObject();
        for (int i = 0; i < tokens.size(); i++) vocab.addProperty(tokens.get(i), i);
        JsonArray mergeList = new JsonArray();
        for (String m : merges) mergeList.add(m);
        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("dropout", JsonNull.INSTANCE);
        model.addProperty("unk_token", "<unk>");
        model.addProperty("fuse_unk", true);
        model.addProperty("byte_fallback", true);
        model.add("vocab", vocab);
        model.add("merges", mergeList);

        JsonObject t = base(new String[] {"<unk>", "<s>", "</s>"});
        JsonObject normalizer = obj("type", "Sequence");
        JsonArray norms = new JsonArray();
        JsonObject prepend = obj("type", "Prepend");
        prepend.addProperty("prepend", "▁");
        norms.add(prepend);
        norms.add(replace(" ", "▁"));
        normalizer.add("normalizers", norms);
        t.add("normalizer", normalizer);
        t.add("pre_tokenizer", JsonNull.INSTANCE);
        t.add("post_processor", bosTemplate("<s>", 1));
        JsonObject decoder = obj("type", "Sequence");
        JsonArray decoders = new JsonArray();
        decoders.add(replace("▁", " "));
        decoders.add(obj("type", "ByteFallback"));
        decoders.add(obj("type", "Fuse"));
        JsonObject strip = obj("type", "Strip");
        strip.addProperty("content", " ");
        strip.addProperty("start", 1);
        strip.addProperty("stop", 0);
        decoders.add(strip);
        decoder.add("decoders", decoders);
        t.add("decoder", decoder);
        t.add("model", model);
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, t.toString());
        return file;
    }

    /**
     * A WordLevel tokenizer split on whitespace, without a post-processor (no BOS added); id 0
     * {@code <|endoftext|>}, 1 {@code [UNK]}, then the words.
     */
    static Path wordLevel(Path dir, String... words) throws IOException {
        JsonObject vocab = new JsonObject();
        vocab.addProperty("<|endoftext|>", 0);
        vocab.addProperty("[UNK]", 1);
        for (int i = 0; i < words.length; i++) vocab.addProperty(words[i], 2 + i);
        JsonObject model = obj("type", "WordLevel");
        model.add("vocab", vocab);
        model.addProperty("unk_token", "[UNK]");
        JsonObject t = base(new String[] {"<|endoftext|>"});
        t.add("normalizer", JsonNull.INSTANCE);
        t.add("pre_tokenizer", obj("type", "Whitespace"));
        t.add("post_processor", JsonNull.INSTANCE);
        t.add("decoder", JsonNull.INSTANCE);
        t.add("model", model);
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, t.toString());
        return file;
    }

    private static JsonObject base(String[] special) {
        JsonObject t = new JsonObject();
        t.addProperty("version", "1.0");
        t.add("truncation", JsonNull.INSTANCE);
        t.add("padding", JsonNull.INSTANCE);
        JsonArray added = new JsonArray();
        for (int i = 0; i < special.length; i++) {
            JsonObject a = new JsonObject();
            a.addProperty("id", i);
            a.addProperty("content", special[i]);
            a.addProperty("single_word", false);
            a.addProperty("lstrip", false);
            a.addProperty("rstrip", false);
            a.addProperty("normalized", false);
            a.addProperty("special", true);
            added.add(a);
        }
        t.add("added_tokens", added);
        return t;
    }

    private static JsonObject bosTemplate(String token, int id) {
        JsonObject pp = obj("type", "TemplateProcessing");
        JsonArray single = new JsonArray();
        JsonObject special = new JsonObject();
        JsonObject st = obj("id", token);
        st.addProperty("type_id", 0);
        special.add("SpecialToken", st);
        single.add(special);
        JsonObject seq = new JsonObject();
        JsonObject a = obj("id", "A");
        a.addProperty("type_id", 0);
        seq.add("Sequence", a);
        single.add(seq);
        pp.add("single", single);
        JsonArray pair = single.deepCopy();
        JsonObject seqB = new JsonObject();
        JsonObject b = obj("id", "B");
        b.addProperty("type_id", 1);
        seqB.add("Sequence", b);
        pair.add(seqB);
        pp.add("pair", pair);
        JsonObject specials = new JsonObject();
        JsonObject entry = obj("id", token);
        JsonArray ids = new JsonArray();
        ids.add(id);
        entry.add("ids", ids);
        JsonArray tokens = new JsonArray();
        tokens.add(token);
        entry.add("tokens", tokens);
        specials.add(token, entry);
        pp.add("special_tokens", specials);
        return pp;
    }

    private static JsonObject replace(String from, String to) {
        JsonObject r = obj("type", "Replace");
        r.add("pattern", obj("String", from));
        r.addProperty("content", to);
        return r;
    }

    private static JsonObject obj(String key, String value) {
        JsonObject o = new JsonObject();
        o.addProperty(key, value);
        return o;
    }
}
