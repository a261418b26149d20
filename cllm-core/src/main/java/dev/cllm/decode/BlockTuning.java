package dev.cllm.decode;

import dev.cllm.Device;
import dev.cllm.engine.NativeLibrary;
import dev.cllm.engine.NativeModel;
import dev.cllm.engine.NativeSession;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the automatic block size keeps per model (by identity, so per weights, device and weight type):
 * the forward costs, measured once per CPU thread count at the first automatic decode, and one
 * {@link BlockSizeTuner} per window policy and guess rule, shared by the model's sessions. Entries go
 * away with their model.
 */
final class BlockTuning {
    private static final Map<NativeModel, BlockTuning> MODELS = new WeakHashMap<>();
    private static final AtomicLong CALIBRATIONS = new AtomicLong();

    private final Map<Integer, ForwardCosts> costsByThreads = new HashMap<>();
    private final Map<String, BlockSizeTuner> tuners = new HashMap<>();

    private BlockTuning() {}

    private static BlockTuning of(NativeModel model) {
        synchronized (MODELS) {
            return MODELS.computeIfAbsent(model, m -> new BlockTuning());
        }
    }

    /**
     * The schedule of one automatic generation on session: measures the costs first (on the session,
     * which it leaves empty) when the model has none for the current CPU thread count.
     */
    static BlockSchedule schedule(NativeSession session, WindowMode mode, InitialGuess.Kind guess) {
        BlockTuning tuning = of(session.model());
        return new AutoBlockSchedule(tuning.costs(session), tuning.tuner(mode, guess));
    }

    /** The cost table of session's model at the current thread count; sessions of the model wait for one calibration. */
    private synchronized ForwardCosts costs(NativeSession session) {
        int threads = threadsKey(session.model());
        ForwardCosts costs = costsByThreads.get(threads);
        if (costs == null) {
            CALIBRATIONS.incrementAndGet();
            costs = ForwardCostCalibration.measure(
                    session, ForwardCostCalibration.CANDIDATES, ForwardCostCalibration.BUDGET_NANOS, threads);
            costsByThreads.put(threads, costs);
        }
        return costs;
    }

    private synchronized BlockSizeTuner tuner(WindowMode mode, InitialGuess.Kind guess) {
        return tuners.computeIfAbsent(mode + "/" + guess, key -> new BlockSizeTuner());
    }

    /** The CPU thread count costs depend on; 0 on CUDA, where they do not. */
    private static int threadsKey(NativeModel model) {
        return model.device().kind() == Device.Kind.CPU ? NativeLibrary.cpuThreads() : 0;
    }

    /** The costs of model at the current thread count, or null when not measured yet. */
    static ForwardCosts cachedCosts(NativeModel model) {
        BlockTuning tuning = of(model);
        synchronized (tuning) {
            return tuning.costsByThreads.get(threadsKey(model));
        }
    }

    /** Test hook: how many calibrations ran in this JVM. */
    static long calibrations() {
        return CALIBRATIONS.get();
    }

    /** Test hook: use costs for model at the current thread count instead of measuring them. */
    static void presetCosts(NativeModel model, ForwardCosts costs) {
        BlockTuning tuning = of(model);
        synchronized (tuning) {
            tuning.costsByThreads.put(threadsKey(model), costs);
        }
    }
}
