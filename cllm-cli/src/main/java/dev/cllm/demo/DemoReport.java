package dev.cllm.demo;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cllm.decode.DecodeStats;
import java.util.List;
import java.util.Locale;

/** The demo table as text or JSON (snake_case keys). */
public final class DemoReport {
    private DemoReport() {}

    public static String table(List<DemoRow> rows) {
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "%-8s %-8s %9s %9s %9s %9s %9s %11s %10s%n",
                "model",
                "mode",
                "questions",
                "accuracy",
                "tok/iter",
                "tok/s",
                "speedup",
                "same as AR",
                "limit hits"));
        for (DemoRow r : rows) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%-8s %-8s %9d %8.1f%% %9.2f %9.1f %8.2fx %10.1f%% %10d%n",
                    r.model(),
                    r.mode(),
                    r.questions(),
                    100 * r.accuracy(),
                    r.tokensPerIteration(),
                    r.tokensPerSecond(),
                    r.speedupVsAr(),
                    100 * r.agreementWithAr(),
                    r.limitHits()));
        }
        return sb.toString();
    }

    /**
     * The CLLM's Jacobi decoding against the teacher's AR, both measured in this run (wall clock of
     * generation, prefill excluded), and which block sizes ran and why.
     */
    public static String speedup(DecodeStats cllmJacobi, DecodeStats teacherAr) {
        double base = teacherAr.tokensPerSecond();
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "%nCLLM Jacobi vs teacher AR, same run: %.2fx wall clock (%,.0f vs %,.0f tokens/s); %s%n",
                base == 0 ? 0 : cllmJacobi.tokensPerSecond() / base,
                cllmJacobi.tokensPerSecond(),
                base,
                cllmJacobi.blocks().summary()));
        if (cllmJacobi.auto() != null)
            sb.append("block size auto: ").append(cllmJacobi.auto().summary()).append('\n');
        return sb.toString();
    }

    public static String json(List<DemoRow> rows) {
        JsonArray array = new JsonArray();
        for (DemoRow r : rows) {
            JsonObject o = new JsonObject();
            o.addProperty("mode", r.mode());
            o.addProperty("model", r.model());
            o.addProperty("questions", r.questions());
            o.addProperty("accuracy", r.accuracy());
            o.addProperty("tokens_per_iteration", r.tokensPerIteration());
            o.addProperty("tokens_per_second", r.tokensPerSecond());
            o.addProperty("speedup_vs_ar", r.speedupVsAr());
            o.addProperty("agreement_with_ar", r.agreementWithAr());
            o.addProperty("limit_hits", r.limitHits());
            array.add(o);
        }
        return new GsonBuilder().setPrettyPrinting().create().toJson(array) + "\n";
    }
}
