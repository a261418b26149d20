package dev.cllm.demo;

import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import dev.cllm.data.MathProblem;
import dev.cllm.model.JsonFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Grade-school questions written by hand rather than by the generator: other phrasings (second person,
 * numbers in words, longer stories), numbers and topics (legs, clocks, temperatures, capacities). A model
 * trained on generated questions only should still answer them in the pipeline's format and end its
 * answers; the demo compares how often the teacher and the CLLM run to the token limit on them.
 */
public final class HandwrittenQuestions {
    static final String RESOURCE = "/dev/cllm/demo/handwritten-questions.jsonl";

    private HandwrittenQuestions() {}

    /** The questions, each with its final answer (no worked solution: family "handwritten"). */
    public static List<MathProblem> load() {
        List<MathProblem> out = new ArrayList<>();
        try (InputStream in = HandwrittenQuestions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new CllmException(CllmException.Status.IO, "this build lacks " + RESOURCE);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            int lineNumber = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank()) continue;
                JsonObject o = JsonFiles.parseObjectLine(line, RESOURCE, lineNumber);
                out.add(new MathProblem(
                        o.get("question").getAsString(), "", o.get("final").getAsString(), "handwritten", 0, true, 0));
            }
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
        return out;
    }
}
