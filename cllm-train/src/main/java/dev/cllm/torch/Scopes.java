package dev.cllm.torch;

import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Runs a computation in its own {@link PointerScope}, so that every temporary JavaCPP object it makes
 * is freed when it returns, and hands the one result to the caller's scope (or to the caller, who then
 * closes it, when no scope is open).
 *
 * <p>JavaCPP trap: {@code PointerScope.detach(p)} releases the scope's reference and so deallocates
 * {@code p}; keeping a pointer past its scope takes {@code retainReference()} instead.
 */
final class Scopes {
    private Scopes() {}

    static Tensor compute(Supplier<Tensor> body) {
        PointerScope outer = PointerScope.getInnerScope();
        Tensor result;
        try (PointerScope scope = new PointerScope()) {
            result = body.get();
            result.retainReference();
        }
        return handOver(outer, result);
    }

    /** Runs body in its own scope: everything it makes is freed when it returns. */
    static void run(Runnable body) {
        try (PointerScope scope = new PointerScope()) {
            body.run();
        }
    }

    /** Makes a pointer that survived its own scope with one reference belong to outer (if any). */
    static Tensor handOver(PointerScope outer, Tensor result) {
        if (outer != null) {
            outer.attach(result);
            result.releaseReference();
        }
        return result;
    }

    /** Keeps t alive past the current scope; the caller closes it. */
    static Tensor keep(Tensor t) {
        t.retainReference();
        return t;
    }
}
