/**
 * The Java side of the native engine: loading the library and checking its ABI version
 * ({@link dev.cllm.engine.NativeLibrary}), models and sessions as guarded native handles
 * ({@link dev.cllm.engine.NativeModel}, {@link dev.cllm.engine.NativeSession}, {@link dev.cllm.engine.HandleGuard}),
 * batched steps across sessions, and owned copies of weights on their way to the engine. Every call checks
 * the native status and throws {@link dev.cllm.CllmException} with the engine's message.
 */
package dev.cllm.engine;
