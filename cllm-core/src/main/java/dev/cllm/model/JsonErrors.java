package dev.cllm.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gson's parse failures as one-line messages: Gson puts a troubleshooting link on a second line and its
 * position at the end of the first ("... at line 3 column 7 path $.a"); errors here keep the reason and
 * the position, drop the link, and never contain a line break.
 */
public final class JsonErrors {
    private static final Pattern POSITION = Pattern.compile("^(.*?)\\s*at line (\\d+) column (\\d+) path (\\S*)$");

    private JsonErrors() {}

    /** A message folded onto one line: Gson's "See https://..." pointer dropped, line breaks made spaces. */
    public static String oneLine(String message) {
        if (message == null) return "";
        int see = message.indexOf("\nSee https://");
        if (see >= 0) message = message.substring(0, see);
        return message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    /**
     * A Gson failure as " at line L, column C: reason (path P)", or ": reason" where Gson gives no position,
     * to follow a few words such as "malformed JSON". lineOffset is added to Gson's line, so that a JSON
     * Lines reader that parses line N on its own passes N - 1 and gets the file's line.
     */
    public static String describe(Throwable failure, long lineOffset) {
        String message = innermostMessage(failure);
        Matcher m = POSITION.matcher(message);
        if (!m.matches()) return ": " + (message.isEmpty() ? failure.getClass().getSimpleName() : message);
        long line = Long.parseLong(m.group(2)) + lineOffset;
        return " at line " + line + ", column " + m.group(3) + ": " + reason(m.group(1)) + " (path " + m.group(4) + ")";
    }

    /** The innermost message of a failure and its causes (Gson wraps its reader's errors), on one line. */
    private static String innermostMessage(Throwable failure) {
        String message = null;
        for (Throwable t = failure; t != null && t != t.getCause(); t = t.getCause()) {
            if (t.getMessage() != null) message = t.getMessage();
        }
        return oneLine(message);
    }

    private static String reason(String gson) {
        // Gson's advice to switch to lenient parsing means "not valid JSON" to the user of a file.
        if (gson.startsWith("Use JsonReader.setStrictness")) return "not valid JSON";
        if (gson.equals("End of input")) return "unexpected end of the JSON text";
        return gson;
    }
}
