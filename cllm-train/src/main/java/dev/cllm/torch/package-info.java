/**
 * LibTorch (Bytedeco pytorch preset, CPU, fp32): the reference Llama that tests check the native
 * backends against, and the model and losses that training uses.
 *
 * <ul>
 *   <li>{@link dev.cllm.torch.TorchLlama}: the model, built from and exported to
 *       {@link dev.cllm.model.ModelWeights} (HF tensor names), forward over [B, T] tokens with an optional
 *       padding mask, named parameters for an optimizer.</li>
 *   <li>{@link dev.cllm.torch.Losses}: next-token cross-entropy with an ignore mask; soft cross-entropy
 *       and forward KL against detached target logits with a position mask (the consistency loss).</li>
 *   <li>{@link dev.cllm.torch.TorchTensors}: copies between Java arrays / checkpoint tensors and LibTorch.</li>
 *   <li>{@link dev.cllm.torch.TorchRuntime}: loading, threads (1 intra-op + 1 OpenBLAS by default: the
 *       spinning pools collapse when they share two cores with each other or with other processes), flush-to-zero for denormals, seeding.</li>
 * </ul>
 *
 * <p>Memory: JavaCPP frees native memory deterministically only through {@link org.bytedeco.javacpp.PointerScope}
 * or {@code close()}. Open one scope per step; every tensor these classes return belongs to the innermost
 * open scope (or to the caller when none is open), and their temporaries are freed before they return.
 * Note that {@code PointerScope.detach(p)} deallocates p; {@code p.retainReference()} keeps it past the scope.
 */
package dev.cllm.torch;
