package dev.cllm.demo;

import java.io.PrintStream;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Draws a {@link JacobiTrace} as the paper's figure does: tokens already final in one colour, pending
 * guesses that are already right in another, guesses that will still change in a third. Three outputs:
 * ANSI colours for a terminal, plain text with markers otherwise, and an HTML page.
 */
public final class TraceRenderer {
    private static final String GREEN = "\u001b[32m",
            CYAN = "\u001b[36m",
            RED = "\u001b[31m",
            DIM = "\u001b[2m",
            RESET = "\u001b[0m";

    private final JacobiTrace trace;
    private final IntFunction<String> tokenText;
    private final int[] output;

    /** tokenText: the text of one token id (as the tokenizer decodes it alone). */
    public TraceRenderer(JacobiTrace trace, IntFunction<String> tokenText) {
        this.trace = trace;
        this.tokenText = tokenText;
        this.output = trace.finalTokens();
    }

    private boolean rightGuess(int position, int token) {
        return position < output.length && output[position] == token;
    }

    /**
     * One line per iteration. ANSI colours when colour is true; else the final text, then the guesses in
     * [ ] with a ~ before each one that will still change.
     */
    public void printIterations(PrintStream out, boolean colour, int maxFinalChars) {
        for (JacobiTrace.Frame f : trace.frames()) {
            StringBuilder line = new StringBuilder();
            line.append(String.format("%3d +%-2d ", f.iteration(), f.acceptedNow()));
            StringBuilder finals = new StringBuilder();
            for (int i = 0; i < f.finalCount(); i++) finals.append(tokenText.apply(output[i]));
            String shown = finals.length() > maxFinalChars
                    ? "..." + finals.substring(finals.length() - maxFinalChars)
                    : finals.toString();
            line.append(colour ? GREEN + oneLine(shown) + RESET : oneLine(shown));
            if (!colour && f.pending().length > 0) line.append(" [");
            for (int i = 0; i < f.pending().length; i++) {
                String text = oneLine(tokenText.apply(f.pending()[i]));
                boolean right = rightGuess(f.finalCount() + i, f.pending()[i]);
                if (colour) {
                    line.append(right ? CYAN : RED + DIM).append(text).append(RESET);
                } else {
                    line.append(right ? text : "~" + text);
                }
            }
            if (!colour && f.pending().length > 0) line.append("]");
            out.println(line);
        }
    }

    private static String oneLine(String s) {
        return s.replace("\n", "\u23ce");
    }

    /** A self-contained HTML page with one row per iteration. */
    public String html(String title, String prompt) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(escape(title))
                .append("</title>\n");
        sb.append(
                "<style>body{font-family:ui-monospace,monospace;background:#fff;margin:2em}"
                        + ".final{color:#1a7f37}.right{color:#0969da;background:#ddf4ff}.wrong{color:#cf222e;background:#ffebe9}"
                        + "td{padding:2px 8px;vertical-align:top;white-space:pre-wrap}.n{color:#777;text-align:right}</style>\n");
        sb.append("</head><body>\n<h1>").append(escape(title)).append("</h1>\n");
        sb.append("<p>Prompt: <code>").append(escape(prompt)).append("</code></p>\n");
        sb.append(
                "<p><span class=\"final\">final tokens</span> &middot; <span class=\"right\">guesses already right</span>"
                        + " &middot; <span class=\"wrong\">guesses that will change</span></p>\n<table>\n");
        sb.append("<tr><th>iteration</th><th>accepted</th><th>text</th></tr>\n");
        for (JacobiTrace.Frame f : trace.frames()) {
            sb.append("<tr><td class=\"n\">")
                    .append(f.iteration())
                    .append("</td><td class=\"n\">+")
                    .append(f.acceptedNow())
                    .append("</td><td><span class=\"final\">");
            for (int i = 0; i < f.finalCount(); i++) sb.append(escape(tokenText.apply(output[i])));
            sb.append("</span>");
            for (int i = 0; i < f.pending().length; i++) {
                boolean right = rightGuess(f.finalCount() + i, f.pending()[i]);
                sb.append("<span class=\"")
                        .append(right ? "right" : "wrong")
                        .append("\">")
                        .append(escape(tokenText.apply(f.pending()[i])))
                        .append("</span>");
            }
            sb.append("</td></tr>\n");
        }
        sb.append("</table>\n</body></html>\n");
        return sb.toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Frames in order, for callers that animate them. */
    public List<JacobiTrace.Frame> frames() {
        return trace.frames();
    }
}
