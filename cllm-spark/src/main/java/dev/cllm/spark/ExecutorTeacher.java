package dev.cllm.spark;

import dev.cllm.Device;
import dev.cllm.engine.NativeLibrary;
import dev.cllm.engine.NativeModel;
import dev.cllm.model.Checkpoints;
import dev.cllm.model.ModelWeights;
import dev.cllm.tokenizer.Tokenizer;
import dev.cllm.tokenizer.Tokenizers;
import dev.cllm.train.PromptEncoder;
import dev.cllm.train.PromptText;
import dev.cllm.train.TrajectoryJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The teacher of one executor JVM: loaded by the first task that needs it and shared by every later task of
 * that JVM (each task opens its own sessions on it; a model serves sessions on several threads at once).
 * One per (model path, device): an executor given two GPUs by Spark holds one copy per GPU. Models stay
 * loaded until the JVM ends or {@link #closeAll()}.
 */
final class ExecutorTeacher {
    private record Key(String model, Device device) {}

    private static final Map<Key, ExecutorTeacher> LOADED = new ConcurrentHashMap<>();
    private static int threadsSet = -1;

    private final NativeModel engine;
    private final Tokenizer tokenizer;
    private final PromptEncoder encoder;
    private final int eos;

    private ExecutorTeacher(NativeModel engine, Tokenizer tokenizer, int eos) {
        this.engine = engine;
        this.tokenizer = tokenizer;
        this.eos = eos;
        this.encoder = new PromptEncoder(tokenizer, eos);
    }

    /**
     * The teacher at model (a path as the executor sees it: relative paths resolve against the executor's
     * working directory, where spark-submit --archives unpacks) on device. {@code threads > 0} sets the CPU
     * backend's threads for this JVM (the executor's cores); 0 leaves the engine's default.
     */
    static ExecutorTeacher get(String model, Device device, int threads) {
        setThreads(threads);
        return LOADED.computeIfAbsent(new Key(model, device), ExecutorTeacher::load);
    }

    private static synchronized void setThreads(int threads) {
        if (threads > 0 && threads != threadsSet) {
            NativeLibrary.setCpuThreads(threads);
            threadsSet = threads;
        }
    }

    private static ExecutorTeacher load(Key key) {
        Path path = Path.of(key.model());
        ModelWeights weights = Checkpoints.load(path);
        Tokenizer tokenizer = Tokenizers.forCheckpoint(path, weights.config());
        if (!tokenizer.canEncode()) {
            tokenizer.close();
            throw new IllegalArgumentException(key.model() + " has no tokenizer.json: trajectories need text prompts");
        }
        // The same end-of-sequence rule as cllm trajectories: the tokenizer's, else the config's.
        int eos = tokenizer.eosId() >= 0 ? tokenizer.eosId() : weights.config().eosTokenId();
        return new ExecutorTeacher(NativeModel.load(weights, key.device()), tokenizer, eos);
    }

    NativeModel engine() {
        return engine;
    }

    int eos() {
        return eos;
    }

    /** Tokenizes a prompt; serialised because tasks of this JVM share one tokenizer. */
    synchronized TrajectoryJob.Prompt encode(PromptText text) {
        return encoder.encode(text);
    }

    /** Closes every teacher of this JVM (tests; a job that wants its executors' memory back). */
    static void closeAll() {
        List<ExecutorTeacher> all = new ArrayList<>(LOADED.values());
        LOADED.clear();
        for (ExecutorTeacher t : all) {
            t.engine.close();
            t.tokenizer.close();
        }
    }
}
