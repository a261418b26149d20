package dev.cllm.model;

import dev.cllm.CllmException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A memory-mapped safetensors file: an 8-byte little-endian header length N, N bytes of JSON header,
 * then the data section. Each tensor is mapped on its own (so files of any size work); a single tensor
 * over 2 GiB is rejected as UNSUPPORTED. Tensor bytes never pass through the Java heap.
 */
public final class SafetensorsFile {
    /** The largest tensor that can be mapped as one buffer. */
    public static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE;

    private final Path path;
    private final SafetensorsHeader header;
    private final Map<String, Tensor> tensors;

    private SafetensorsFile(Path path, SafetensorsHeader header, Map<String, Tensor> tensors) {
        this.path = path;
        this.header = header;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Opens, validates and maps a file. Throws CllmException (BAD_FORMAT, IO or UNSUPPORTED) naming the file. */
    public static SafetensorsFile open(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw CllmException.badFormat(
                        path,
                        "not a safetensors file: " + fileSize + " bytes, shorter than the " + "8-byte header length");
            }
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, prefix, 0);
            long headerLength = prefix.getLong(0);
            long limit = Math.min(fileSize - 8, SafetensorsHeader.MAX_HEADER_BYTES);
            if (headerLength < 2 || headerLength > limit) {
                throw CllmException.badFormat(
                        path,
                        "safetensors header length " + Long.toUnsignedString(headerLength) + " is not within [2, "
                                + limit + "] (file of " + fileSize + " bytes; truncated or not safetensors?)");
            }
            ByteBuffer json = ByteBuffer.allocate((int) headerLength);
            readFully(channel, json, 8);
            long dataStart = 8 + headerLength;
            SafetensorsHeader header = SafetensorsHeader.parse(json.array(), fileSize - dataStart, path);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Object fileKey = FileRegion.fileKey(path); // taken while the file is open, as it is mapped
            for (SafetensorsHeader.Entry e : header.entries().values()) {
                if (e.byteSize() > MAX_TENSOR_BYTES) {
                    throw new CllmException(
                            CllmException.Status.UNSUPPORTED,
                            path + ": tensor " + e.name() + " is " + e.byteSize()
                                    + " bytes; tensors over 2 GiB are not supported");
                }
                // The header's offsets were checked against the file's size before this map.
                ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.byteSize());
                tensors.put(
                        e.name(),
                        new Tensor(
                                e.name(),
                                e.dtype(),
                                e.shape(),
                                data.order(ByteOrder.LITTLE_ENDIAN),
                                new FileRegion(path, fileKey, dataStart + e.begin(), e.byteSize())));
            }
            return new SafetensorsFile(path, header, tensors);
        } catch (NoSuchFileException e) {
            throw new CllmException(CllmException.Status.IO, path + ": no such file", e);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, path + ": cannot read: " + e, e);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long pos = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, pos);
            if (n < 0) throw new IOException("unexpected end of file at byte " + pos);
            pos += n;
        }
    }

    public Path path() {
        return path;
    }

    /** The header entries, in header order. */
    public Map<String, SafetensorsHeader.Entry> entries() {
        return header.entries();
    }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** Every tensor (memory-mapped), in header order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** A tensor, or null when the file has none of that name. */
    public Tensor tensor(String name) {
        return tensors.get(name);
    }
}
