package dev.cllm.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Tiny Llama GGUF files built byte by byte ({@link GgufBytes}): llama.cpp's keys and tensor names, any
 * mix of tensor types (random blocks with small, finite scales), and optionally a small vocabulary of
 * either kind. For the loader tests and the fuzz test.
 */
final class TinyGguf {
    enum Vocab {
        NONE,
        GPT2,
        LLAMA
    }

    private TinyGguf() {}

    /** The tokens of the small vocabularies: specials, then the 256 byte tokens, then a few merged ones. */
    static String[] tokens(Vocab vocab) {
        List<String> t = new ArrayList<>();
        if (vocab == Vocab.GPT2) {
            t.add("<s>");
            t.add("</s>");
            for (int b = 0; b < 256; b++) t.add(String.valueOf(dev.cllm.tokenizer.ByteLevel.charOf(b)));
            t.add("he");
            t.add("ll");
            t.add("Ġhe");
        } else {
            t.add("<unk>");
            t.add("<s>");
            t.add("</s>");
            for (int b = 0; b < 256; b++) t.add(String.format("<0x%02X>", b));
            for (String s : new String[] {"▁", "h", "e", "l", "o", "▁h", "he", "ll", "▁he", "llo", "▁hello"}) t.add(s);
        }
        return t.toArray(new String[0]);
    }

    /**
     * A GGUF file of a model with this config; typeOf gives each GGUF tensor's type (norms should stay F32).
     * The config's vocabulary size must equal the token count when vocab is not NONE.
     */
    static GgufBytes build(LlamaConfig c, Function<String, GgmlType> typeOf, Vocab vocab, long seed) {
        Random random = new Random(seed);
        List<Map.Entry<String, long[]>> shapes = ModelWeights.expectedShapes(c);
        List<String> names = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        List<GgmlType> types = new ArrayList<>();
        for (Map.Entry<String, long[]> e : shapes) {
            String name = GgufNames.toGguf(e.getKey());
            GgmlType type = e.getValue().length == 1 ? GgmlType.F32 : typeOf.apply(name);
            names.add(name);
            types.add(type);
            data.add(randomData(type, e.getValue(), random));
        }
        String[] tokens = vocab == Vocab.NONE ? new String[0] : tokens(vocab);
        int kvs = 13 + (vocab == Vocab.NONE ? 0 : vocab == Vocab.GPT2 ? 7 : 8);
        GgufBytes b = new GgufBytes().header(3, names.size(), kvs);
        b.kvString(GgufNames.ARCHITECTURE, "llama")
                .kvString(GgufNames.NAME, "tiny")
                .kvU32(GgufNames.CONTEXT_LENGTH, c.maxSeqLen())
                .kvU32(GgufNames.EMBEDDING_LENGTH, c.dim())
                .kvU32(GgufNames.BLOCK_COUNT, c.nLayers())
                .kvU32(GgufNames.FEED_FORWARD_LENGTH, c.hiddenDim())
                .kvU32(GgufNames.HEAD_COUNT, c.nHeads())
                .kvU32(GgufNames.HEAD_COUNT_KV, c.nKvHeads())
                .kvU32(GgufNames.KEY_LENGTH, c.headDim())
                .kvU32(GgufNames.ROPE_DIMENSIONS, c.headDim())
                .kvF32(GgufNames.ROPE_FREQ_BASE, c.ropeTheta())
                .kvF32(GgufNames.RMS_EPS, c.normEps())
                .kvU32(GgufNames.FILE_TYPE, 0);
        if (vocab == Vocab.GPT2) {
            int[] tt = new int[tokens.length];
            java.util.Arrays.fill(tt, 1);
            tt[0] = 3;
            tt[1] = 3;
            b.kvString("tokenizer.ggml.model", "gpt2")
                    .kvString("tokenizer.ggml.pre", "refact")
                    .kvStrings("tokenizer.ggml.tokens", tokens)
                    .kvInts("tokenizer.ggml.token_type", tt)
                    .kvStrings("tokenizer.ggml.merges", new String[] {"h e", "l l", "Ġ he"})
                    .kvU32("tokenizer.ggml.bos_token_id", 0)
                    .kvU32("tokenizer.ggml.eos_token_id", 1);
        } else if (vocab == Vocab.LLAMA) {
            int[] tt = new int[tokens.length];
            float[] scores = new float[tokens.length];
            for (int i = 0; i < tokens.length; i++) {
                tt[i] = i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1;
                scores[i] = i < 259 ? 0 : -(i - 259);
            }
            b.kvString("tokenizer.ggml.model", "llama")
                    .kvStrings("tokenizer.ggml.tokens", tokens)
                    .kvFloats("tokenizer.ggml.scores", scores)
                    .kvInts("tokenizer.ggml.token_type", tt)
                    .kvU32("tokenizer.ggml.bos_token_id", 1)
                    .kvU32("tokenizer.ggml.eos_token_id", 2)
                    .kvU32("tokenizer.ggml.unknown_token_id", 0)
                    .kvBool("tokenizer.ggml.add_bos_token", true);
        }
        long offset = 0;
        for (int i = 0; i < names.size(); i++) {
            b.tensorInfo(names.get(i), shapes.get(i).getValue(), types.get(i), offset);
            offset += (data.get(i).length + 31) / 32 * 32;
        }
        b.padTo(32);
        for (byte[] d : data) {
            b.raw(d);
            b.padTo(32);
        }
        return b;
    }

    /** Random values of a type: floats of scale ~0.05, or random blocks whose fp16 scales are small and finite. */
    static byte[] randomData(GgmlType type, long[] shape, Random random) {
        long rows = 1;
        for (int i = 0; i < shape.length - 1; i++) rows *= shape[i];
        long rowLength = shape[shape.length - 1];
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(rows * type.rowBytes(rowLength)))
                .order(ByteOrder.LITTLE_ENDIAN);
        if (type == GgmlType.F32 || type == GgmlType.F16 || type == GgmlType.BF16) {
            boolean norm = shape.length == 1;
            for (long i = 0; i < rows * rowLength; i++) {
                float v = norm ? 1f + 0.1f * (float) random.nextGaussian() : 0.05f * (float) random.nextGaussian();
                switch (type) {
                    case F32 -> b.putFloat(v);
                    case F16 -> b.putShort(HalfFloats.floatToF16(v));
                    default -> b.putShort(HalfFloats.floatToBf16(v));
                }
            }
            return b.array();
        }
        random.nextBytes(b.array());
        int[] scales = switch (type) {
            case Q4_0, Q5_0, Q8_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException("no random blocks of " + type);
        };
        for (int blk = 0; blk * type.blockBytes() < b.capacity(); blk++) {
            for (int at : scales) {
                float scale = type.blockElements() == 256 ? 0.0005f : 0.005f;
                b.putShort(blk * type.blockBytes() + at, HalfFloats.floatToF16(scale * (0.5f + random.nextFloat())));
            }
        }
        return b.array();
    }
}
