package dev.cllm.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr for long work: redrawn in place on a terminal, a line every few seconds
 * otherwise (logs stay readable). Shows done/total, a rate and the time left. Work resumed from an earlier run
 * ({@link #resumedAt}) counts towards done/total but not towards the rate the time left is estimated from.
 */
public final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 28;
    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastDraw;
    private long done;
    private long resumed; // done before this bar started: not part of its rate
    private long drawnDone = -1;
    private String extra = "";
    private boolean closed;

    public ProgressBar(String label, long total) {
        this(label, total, System.err, System.console() != null);
    }

    public ProgressBar(String label, long total, PrintStream out, boolean terminal) {
        this.label = label;
        this.total = Math.max(total, 1);
        this.out = out;
        this.terminal = terminal;
    }

    /** Moves to done (absolute) with an optional note such as "312 tok/s". */
    public synchronized void update(long newDone, String note) {
        this.done = Math.min(newDone, total);
        this.extra = note == null ? "" : note;
        long now = System.nanoTime();
        long interval = terminal ? 100_000_000L : 5_000_000_000L;
        if (now - lastDraw >= interval || done == total) {
            lastDraw = now;
            draw(now);
        }
    }

    /** Starts from work an earlier run did: shown as done, left out of the rate. Call before any update. */
    public synchronized void resumedAt(long alreadyDone, String note) {
        resumed = Math.min(Math.max(alreadyDone, 0), total);
        update(resumed, note);
    }

    public void step(String note) {
        update(done + 1, note);
    }

    /** The line as it would be drawn at {@code now} (System.nanoTime()), and when the bar started (tests). */
    synchronized String lineAt(long now) {
        return format(now);
    }

    long startNanos() {
        return start;
    }

    private void draw(long now) {
        drawnDone = done;
        String line = format(now);
        if (terminal) {
            out.print("\r" + line + "\u001b[K");
        } else {
            out.println(line);
        }
        out.flush();
    }

    private String format(long now) {
        double fraction = (double) done / total;
        double elapsed = (now - start) / 1e9;
        long doneHere = done - resumed;
        String eta = doneHere <= 0 ? "--:--" : clock(elapsed * (total - done) / doneHere);
        int filled = (int) Math.round(fraction * WIDTH);
        String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
        return String.format(
                Locale.ROOT, "%s [%s] %d/%d %s elapsed %s eta %s", label, bar, done, total, extra, clock(elapsed), eta);
    }

    static String clock(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (drawnDone != done) draw(System.nanoTime());
        if (terminal) out.println();
    }
}
