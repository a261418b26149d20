package dev.cllm.models;

import dev.cllm.Cllm;
import dev.cllm.CllmException;
import dev.cllm.CllmException.Status;
import dev.cllm.Device;
import dev.cllm.Model;
import dev.cllm.WeightType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The models shipped inside the jar (built by {@code ci/make-default-models.sh}): a small teacher trained
 * on generated grade-school math, and the CLLM fine-tuned from it. A model is copied once out of the jar
 * into {@code ~/.cache/cllm/models/NAME-HASH/} (or {@code $CLLM_CACHE}), so loading memory-maps it
 * like any checkpoint.
 */
public final class EmbeddedModels {
    /** The teacher: AR-trained on the generated math corpus. */
    public static final String TEACHER = "gsm-teacher";
    /** The CLLM: the teacher after consistency fine-tuning on its own Jacobi trajectories. */
    public static final String CLLM = "gsm-cllm";

    private static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json");
    private static final String ROOT = "/dev/cllm/models/";

    private EmbeddedModels() {}

    public static List<String> names() {
        return List.of(TEACHER, CLLM);
    }

    /** Whether this jar carries the model. */
    public static boolean available(String name) {
        return EmbeddedModels.class.getResource(ROOT + name + "/model.safetensors") != null;
    }

    /** The folder of an embedded model on disk, extracting it on first use. */
    public static synchronized Path path(String name) {
        if (!names().contains(name)) {
            throw new IllegalArgumentException(
                    "unknown embedded model '" + name + "'; known: " + String.join(", ", names()));
        }
        if (!available(name)) {
            throw new CllmException(
                    Status.UNSUPPORTED,
                    "this build of cllm carries no embedded model " + name
                            + " (build it with ci/make-default-models.sh)");
        }
        try {
            String hash = hash(name);
            Path dir = cacheRoot().resolve(name + "-" + hash);
            if (Files.exists(dir.resolve("complete"))) return dir;
            Path tmp = Files.createDirectories(cacheRoot())
                    .resolve(
                            name + "-" + hash + ".tmp" + ProcessHandle.current().pid());
            Files.createDirectories(tmp);
            for (String file : FILES) {
                try (InputStream in = EmbeddedModels.class.getResourceAsStream(ROOT + name + "/" + file)) {
                    if (in == null)
                        throw new CllmException(Status.BAD_FORMAT, "embedded model " + name + " lacks " + file);
                    Files.copy(in, tmp.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.createFile(tmp.resolve("complete"));
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                // Another process extracted it first: use theirs.
                if (!Files.exists(dir.resolve("complete"))) throw raced;
            }
            return dir;
        } catch (IOException e) {
            throw new CllmException(Status.IO, "cannot extract embedded model " + name + ": " + e.getMessage(), e);
        }
    }

    /** Loads an embedded model onto a device, in its own weight type (bf16). */
    public static Model load(String name, Device device) {
        return load(name, device, null);
    }

    /** Loads an embedded model onto a device with its matrices converted to a weight type (null: bf16, its own). */
    public static Model load(String name, Device device, WeightType weights) {
        return Cllm.load(path(name), device, weights);
    }

    private static Path cacheRoot() {
        String env = System.getenv("CLLM_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env).resolve("models");
        return Path.of(System.getProperty("user.home"), ".cache", "cllm", "models");
    }

    /** A short hash of the model's weights, so a new jar never reuses an old extraction. */
    private static String hash(String name) throws IOException {
        try (InputStream in = EmbeddedModels.class.getResourceAsStream(ROOT + name + "/model.safetensors")) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
            return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
