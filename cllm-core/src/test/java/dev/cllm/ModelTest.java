package dev.cllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Sessions default to the model's whole context; a larger one is refused naming the limit. */
class ModelTest {
    @Test
    void newSessionDefaultsToTheModelsContext() {
        try (Model model = TinyModels.load(21);
                Session session = model.newSession()) {
            assertEquals(model.config().maxSeqLen(), session.capacity());
            assertEquals(512, session.capacity());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.newSession(1024));
            assertTrue(e.getMessage().contains("capacity") && e.getMessage().contains("512"), e.getMessage());
            try (Session small = model.newSession(8)) {
                assertEquals(8, small.capacity());
            }
        }
    }
}
