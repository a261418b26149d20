package dev.cllm.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import dev.cllm.model.JsonFiles;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Reading and writing math data sets: JSONL files and plain-text pre-training corpora. */
public final class MathDatasets {
    private MathDatasets() {}

    /** One JSON object (no newline): question, answer, final; plus family, phrasing, held_out, steps if meta. */
    public static String toJson(MathProblem p, boolean meta) {
        StringBuilder sb = new StringBuilder(p.question().length() + p.answer().length() + 64);
        sb.append("{\"question\":");
        quote(sb, p.question());
        sb.append(",\"answer\":");
        quote(sb, p.answer());
        sb.append(",\"final\":");
        quote(sb, p.finalAnswer());
        if (meta) {
            sb.append(",\"family\":");
            quote(sb, p.family());
            sb.append(",\"phrasing\":").append(p.phrasing());
            sb.append(",\"held_out\":").append(p.heldOutPhrasing());
            sb.append(",\"steps\":").append(p.steps());
        }
        return sb.append('}').toString();
    }

    /**
     * One JSON object for {@code cllm trajectories}: "prompt" in the pipeline's prompt format, "answer" the
     * exact text that continues it (the solution after a space), and "final".
     */
    public static String toPromptJson(MathProblem p) {
        StringBuilder sb = new StringBuilder(p.question().length() + p.answer().length() + 64);
        sb.append("{\"prompt\":");
        quote(sb, MathPrompt.format(p.question()));
        sb.append(",\"answer\":");
        quote(sb, MathPrompt.continuation(p.answer()));
        sb.append(",\"final\":");
        quote(sb, p.finalAnswer());
        return sb.append('}').toString();
    }

    /** Writes one JSON object per line. */
    public static void writeJsonl(Iterable<MathProblem> problems, Writer out, boolean meta) throws IOException {
        for (MathProblem p : problems) {
            out.write(toJson(p, meta));
            out.write('\n');
        }
    }

    /** Writes a JSONL file (UTF-8). */
    public static void writeJsonl(Iterable<MathProblem> problems, Path file, boolean meta) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            writeJsonl(problems, w, meta);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a plain-text corpus: for each problem {@link MathPrompt#document(String, String)} (which ends with
     * the EOS text {@code </s>}) followed by {@link MathPrompt#DOC_SEPARATOR}.
     */
    public static void writeCorpus(Iterable<MathProblem> problems, Writer out) throws IOException {
        for (MathProblem p : problems) {
            out.write(MathPrompt.document(p.question(), p.answer()));
            out.write(MathPrompt.DOC_SEPARATOR);
        }
    }

    /** Writes a plain-text corpus file (UTF-8). */
    public static void writeCorpus(Iterable<MathProblem> problems, Path file) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            writeCorpus(problems, w);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Splits a plain-text corpus written by {@link #writeCorpus(Iterable, Writer)} into its documents
     * (without the EOS text and separator).
     */
    public static List<String> corpusDocuments(String corpus) {
        List<String> docs = new ArrayList<>();
        String end = MathPrompt.EOS_TEXT + MathPrompt.DOC_SEPARATOR;
        int i = 0;
        while (i < corpus.length()) {
            int j = corpus.indexOf(end, i);
            if (j < 0) {
                String rest = corpus.substring(i);
                if (rest.endsWith(MathPrompt.EOS_TEXT))
                    rest = rest.substring(0, rest.length() - MathPrompt.EOS_TEXT.length());
                if (!rest.isBlank()) docs.add(rest);
                break;
            }
            docs.add(corpus.substring(i, j));
            i = j + end.length();
        }
        return docs;
    }

    /** Reads a JSONL file with question, answer and final fields (other fields are ignored). */
    public static List<MathExample> readJsonl(Path file) {
        List<MathExample> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) continue;
                JsonObject o = JsonFiles.parseObjectLine(line, file, no);
                out.add(new MathExample(
                        str(o, "question", file, no), str(o, "answer", file, no), str(o, "final", file, no)));
            }
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static String str(JsonObject o, String key, Path file, int line) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive())
            throw CllmException.badFormat(file, "line " + line + ": no string '" + key + "'");
        return e.getAsString();
    }

    /** The question texts of {@code test} that also appear in {@code train}, in test order (empty if disjoint). */
    public static Set<String> overlap(Collection<String> trainQuestions, Collection<String> testQuestions) {
        Set<String> train = new HashSet<>(trainQuestions);
        Set<String> out = new LinkedHashSet<>();
        for (String q : testQuestions) {
            if (train.contains(q)) out.add(q);
        }
        return out;
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
            }
        }
        sb.append('"');
    }
}
