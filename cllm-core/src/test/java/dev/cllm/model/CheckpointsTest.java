package dev.cllm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
    @TempDir
    Path dir;

    private static CllmException fails(Path p, CllmException.Status status, String fragment) {
        CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(p));
        assertEquals(status, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), fragment + " in: " + e.getMessage());
        return e;
    }

    @Test
    void detectsEachLayout() throws IOException {
        ModelWeights w = RandomWeights.create(HfCheckpointTest.TIED, 41);
        Path hf = dir.resolve("hf");
        CheckpointWriter.write(w, hf);
        assertEquals(Checkpoints.Format.HF_SAFETENSORS, Checkpoints.detect(hf));
        assertEquals(w.config(), Checkpoints.load(hf).config());
        assertEquals(w.config(), Checkpoints.load(hf.resolve("config.json")).config());
        assertEquals(
                w.config(), Checkpoints.load(hf.resolve("model.safetensors")).config());
        assertEquals(Checkpoints.Format.HF_SAFETENSORS, Checkpoints.detect(hf.resolve("model.safetensors")));

        // A .safetensors file under another name, config.json beside it.
        Files.move(hf.resolve("model.safetensors"), hf.resolve("weights.safetensors"));
        assertEquals(
                w.config(), Checkpoints.load(hf.resolve("weights.safetensors")).config());
        fails(hf, CllmException.Status.BAD_FORMAT, "no model.safetensors");
    }

    @Test
    void clearErrorsForMissingOrUnknownInputs() throws IOException {
        fails(dir.resolve("nothing-here"), CllmException.Status.IO, "nothing-here: no such file or directory");
        fails(dir, CllmException.Status.BAD_FORMAT, "a directory without config.json");
        Path txt = Files.writeString(dir.resolve("model.txt"), "hi");
        fails(txt, CllmException.Status.BAD_FORMAT, "unknown checkpoint format");
        Path lone = Files.write(dir.resolve("lone.safetensors"), new byte[16]);
        fails(lone, CllmException.Status.BAD_FORMAT, "needs a config.json beside it");
        Path pickle = Files.write(dir.resolve("pytorch_model.bin"), new byte[16]);
        fails(pickle, CllmException.Status.UNSUPPORTED, "PyTorch pickle");
        Files.writeString(dir.resolve("config.json"), "{}");
        fails(dir, CllmException.Status.UNSUPPORTED, "PyTorch pickle");
        assertThrows(IllegalArgumentException.class, () -> Checkpoints.load(null));
    }

    @Test
    void tokenizerFileIsFoundBesideTheCheckpoint() throws IOException {
        assertEquals(Optional.empty(), Checkpoints.tokenizerFile(dir));
        Path tok = Files.writeString(dir.resolve("tokenizer.json"), "{}");
        assertEquals(Optional.of(tok), Checkpoints.tokenizerFile(dir));
        assertEquals(
                tok.toAbsolutePath(),
                Checkpoints.tokenizerFile(dir.resolve("model.bin")).orElseThrow());
    }
}
