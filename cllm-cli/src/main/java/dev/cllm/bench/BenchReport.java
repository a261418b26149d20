package dev.cllm.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;

/** Renders benchmark rows as a text table, Markdown, or JSON (keys in snake_case). */
public final class BenchReport {
    private BenchReport() {}

    public static String table(List<BenchRow> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%-14s %5s %7s %10s %8s %9s %10s %8s %5s  %s%n",
                "mode",
                "block",
                "tokens",
                "iterations",
                "tok/iter",
                "iter/tok",
                "tok/s",
                "speedup",
                "same",
                "n ran"));
        for (BenchRow r : rows) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%-14s %5s %7d %10d %8.2f %9.3f %10.1f %7.2fx %5s  %s%n",
                    r.mode(),
                    r.blockLabel(),
                    r.tokens(),
                    r.iterations(),
                    r.tokensPerIteration(),
                    r.iterationsPerToken(),
                    r.tokensPerSecond(),
                    r.speedupVsAr(),
                    r.sameAsAr() ? "yes" : "NO",
                    r.blocksRun()));
        }
        for (BenchRow r : rows) {
            if (r.auto() != null)
                sb.append(r.mode()).append(" auto: ").append(r.auto().summary()).append('\n');
        }
        return sb.toString();
    }

    public static String markdown(List<BenchRow> rows, String title) {
        StringBuilder sb = new StringBuilder();
        if (title != null) sb.append(title).append("\n\n");
        sb.append(
                "| mode | block | tokens | iterations | tokens/iteration | iterations/token | tokens/s | speedup vs AR | same as AR "
                        + "| n ran (share of iterations) |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (BenchRow r : rows) {
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %d | %.2f | %.3f | %.1f | %.2fx | %s | %s |%n",
                    r.mode(),
                    r.blockLabel(),
                    r.tokens(),
                    r.iterations(),
                    r.tokensPerIteration(),
                    r.iterationsPerToken(),
                    r.tokensPerSecond(),
                    r.speedupVsAr(),
                    r.sameAsAr() ? "yes" : "no",
                    r.blocksRun()));
        }
        for (BenchRow r : rows) {
            if (r.auto() != null)
                sb.append("\n")
                        .append(r.mode())
                        .append(" auto: ")
                        .append(r.auto().summary())
                        .append('\n');
        }
        return sb.toString();
    }

    public static String json(List<BenchRow> rows) {
        JsonArray array = new JsonArray();
        for (BenchRow r : rows) {
            JsonObject o = new JsonObject();
            o.addProperty("mode", r.mode());
            if (r.block() == 0) o.addProperty("block", "auto");
            else o.addProperty("block", r.block());
            JsonObject byBlock = new JsonObject();
            if (r.blocks() != null)
                r.blocks().iterations().forEach((n, its) -> byBlock.addProperty(Integer.toString(n), its));
            o.add("iterations_by_block", byBlock);
            o.addProperty("tokens", r.tokens());
            o.addProperty("iterations", r.iterations());
            o.addProperty("tokens_per_iteration", r.tokensPerIteration());
            o.addProperty("iterations_per_token", r.iterationsPerToken());
            o.addProperty("tokens_per_second", r.tokensPerSecond());
            o.addProperty("speedup_vs_ar", r.speedupVsAr());
            o.addProperty("same_as_ar", r.sameAsAr());
            if (r.auto() != null) {
                JsonObject auto = new JsonObject();
                auto.addProperty("chosen", r.auto().chosen());
                JsonObject cost = new JsonObject(), expected = new JsonObject();
                r.auto().costs().ratios().forEach((n, ratio) -> cost.addProperty(Integer.toString(n), ratio));
                r.auto().expectedTokensPerIteration().forEach((n, t) -> expected.addProperty(Integer.toString(n), t));
                auto.add("cost_ratio", cost);
                auto.add("expected_tokens_per_iteration", expected);
                auto.addProperty("calibration_ms", r.auto().costs().calibrationMillis());
                o.add("auto", auto);
            }
            array.add(o);
        }
        return new GsonBuilder().setPrettyPrinting().create().toJson(array) + "\n";
    }

    public static String forwardTable(List<ForwardTiming> timings) {
        StringBuilder sb =
                new StringBuilder(String.format(Locale.ROOT, "%-8s %12s %12s%n", "block", "forward ms", "x n=1"));
        for (ForwardTiming t : timings) {
            sb.append(String.format(Locale.ROOT, "%-8d %12.2f %11.2fx%n", t.block(), t.millis(), t.relativeToOne()));
        }
        return sb.toString();
    }
}
