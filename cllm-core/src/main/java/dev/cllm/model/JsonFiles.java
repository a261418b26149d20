package dev.cllm.model;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.cllm.CllmException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading small JSON files (configs, indexes, tokenizers) with errors that name the file. */
public final class JsonFiles {
    /** Largest JSON file read (tokenizer.json files of large vocabularies are tens of MB). */
    public static final long MAX_BYTES = 256L << 20;
    /** Deepest nesting accepted. */
    public static final int MAX_NESTING = 256;

    private static final TypeAdapter<JsonElement> ELEMENTS = new Gson().getAdapter(JsonElement.class);

    private JsonFiles() {}

    /** Reads a file whose top level must be a JSON object. IO for a missing or unreadable file, else BAD_FORMAT. */
    public static JsonObject readObject(Path file) {
        String text = readText(file);
        JsonElement root = parse(text, file);
        if (!root.isJsonObject()) throw CllmException.badFormat(file, "expected a JSON object at the top level");
        return root.getAsJsonObject();
    }

    /** The file as strict UTF-8 text. */
    public static String readText(Path file) {
        try {
            if (!Files.exists(file)) throw new NoSuchFileException(file.toString());
            if (!Files.isRegularFile(file)) throw CllmException.badFormat(file, "not a regular file");
            long size = Files.size(file);
            if (size > MAX_BYTES) throw CllmException.badFormat(file, "JSON file of " + size + " bytes is too large");
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw CllmException.badFormat(file, "not valid UTF-8");
        } catch (NoSuchFileException e) {
            throw new CllmException(CllmException.Status.IO, file + ": no such file", e);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, file + ": cannot read: " + e, e);
        }
    }

    /**
     * Parses strict JSON text; BAD_FORMAT naming source on any problem, in one line with Gson's line and
     * column ("source: malformed JSON at line 3, column 7: Expected ':' (path $.a)").
     */
    public static JsonElement parse(String text, Object source) {
        try {
            return parseStrict(text);
        } catch (IOException | RuntimeException e) {
            throw CllmException.badFormat(source, "malformed JSON" + JsonErrors.describe(e, 0));
        }
    }

    /**
     * Parses line {@code lineNumber} (1-based) of a JSON Lines file as strict JSON; BAD_FORMAT naming the
     * file, the line and Gson's column, in one line ("file: malformed JSON at line 12, column 5: ...").
     */
    public static JsonElement parseLine(String line, Object file, long lineNumber) {
        try {
            return parseStrict(line);
        } catch (IOException | RuntimeException e) {
            throw CllmException.badFormat(file, "malformed JSON" + JsonErrors.describe(e, lineNumber - 1));
        }
    }

    /** {@link #parseLine} for a line that must hold a JSON object. */
    public static JsonObject parseObjectLine(String line, Object file, long lineNumber) {
        JsonElement e = parseLine(line, file, lineNumber);
        if (!e.isJsonObject()) throw CllmException.badFormat(file, "line " + lineNumber + ": expected a JSON object");
        return e.getAsJsonObject();
    }

    private static JsonElement parseStrict(String text) throws IOException {
        if (nestingBeyond(text, MAX_NESTING)) throw new IOException("JSON nests deeper than " + MAX_NESTING);
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT);
        // Not JsonParser.parseReader: it switches the reader to lenient mode.
        JsonElement root = ELEMENTS.read(reader);
        try {
            if (reader.peek() == JsonToken.END_DOCUMENT) return root;
        } catch (IOException e) {
            // Gson reports a second value as "use lenient mode"; say what it is, keeping Gson's position.
            String message = JsonErrors.oneLine(e.getMessage());
            int at = message.lastIndexOf(" at line ");
            throw new IOException("Trailing data after the JSON value" + (at >= 0 ? message.substring(at) : ""));
        }
        throw new IOException("Trailing data after the JSON value");
    }

    /** Rejects nesting deeper than max, counted outside strings, before a parser sees the text. */
    static void checkNesting(String text, int max, Object source) {
        if (nestingBeyond(text, max)) throw CllmException.badFormat(source, "JSON nests deeper than " + max);
    }

    private static boolean nestingBeyond(String text, int max) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > max) return true;
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return false;
    }
}
