package dev.cllm.engine;

import dev.cllm.CllmException;
import dev.cllm.model.FileRegion;
import dev.cllm.model.Tensor;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A tensor's bytes copied into native memory this library owns, for the engine to read during upload.
 *
 * <p>Loaded checkpoint tensors are memory-mapped. The loaders check every tensor's byte range against the
 * file's size before they map it, but the file can still shrink afterwards (another process truncates or
 * rewrites it in place), and reading a mapped page beyond the new end raises SIGBUS: native code would
 * kill the JVM. So a tensor that knows its file region is read from the file with plain reads, never
 * through the mapping, and a file cut short is an IO {@link CllmException} naming it. A tensor in memory
 * is copied from its buffer; for one whose file was replaced or deleted after mapping, the copy reads the
 * mapping (still the original's bytes) with the JVM's bulk copy, which survives a fault and reports it as
 * an InternalError, possibly only after the copy returns. The price is one copy of each tensor, one
 * tensor at a time.
 */
final class OwnedTensorCopy implements AutoCloseable {
    private final Pointer allocation;
    private final BytePointer bytes;

    private OwnedTensorCopy(Pointer allocation, BytePointer bytes) {
        this.allocation = allocation;
        this.bytes = bytes;
    }

    /** Copies tensor's bytes; IO when they cannot be read (the file under them was truncated). */
    static OwnedTensorCopy of(Tensor tensor) {
        ByteBuffer source = tensor.data().duplicate().rewind(); // leaves the tensor's own position alone
        long size = source.remaining();
        // Plain malloc, not a JavaCPP-tracked allocation: JavaCPP refuses tracked allocations once the
        // process's resident memory passes its limit, which the model's own weights reach on large models.
        Pointer allocation = Pointer.malloc(Math.max(1, size));
        if (allocation == null || allocation.isNull()) {
            throw new CllmException(
                    CllmException.Status.OUT_OF_MEMORY,
                    "cannot allocate " + size + " bytes to upload tensor " + tensor.name());
        }
        try {
            BytePointer bytes = new BytePointer(allocation).capacity(size);
            ByteBuffer target = bytes.position(0).limit(size).asByteBuffer();
            FileRegion region = tensor.file();
            if (region == null || !region.readInto(target, tensor.name())) target.put(source);
            return new OwnedTensorCopy(allocation, bytes);
        } catch (InternalError e) {
            Pointer.free(allocation);
            throw new CllmException(
                    CllmException.Status.IO,
                    "tensor " + tensor.name() + " could not be read: the "
                            + "file it is mapped from was truncated after it was loaded (" + e.getMessage() + ")",
                    e);
        } catch (RuntimeException e) {
            Pointer.free(allocation);
            throw e;
        }
    }

    BytePointer pointer() {
        return bytes;
    }

    @Override
    public void close() {
        Pointer.free(allocation);
    }
}
