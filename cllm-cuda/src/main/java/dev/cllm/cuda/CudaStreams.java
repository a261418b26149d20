package dev.cllm.cuda;

import dev.cllm.engine.NativeSession;
import org.bytedeco.cuda.cudart.CUstream_st;

/**
 * Stream interop with the Bytedeco CUDA preset: runs a session's device work on a stream the JVM
 * application already owns, so that it orders with the application's own kernels and copies.
 */
public final class CudaStreams {
    private CudaStreams() {}

    /**
     * Runs all further work of the (CUDA) session on stream; null returns to the session's own stream.
     * The application keeps the stream alive while the session uses it.
     */
    public static void use(NativeSession session, CUstream_st stream) {
        session.setCudaStream(stream);
    }
}
