/**
 * The JavaCPP binding of the native engine's C ABI ({@code native/include/cllm/cllm.h}), one Java method
 * per C function. Applications use {@code dev.cllm.engine} instead, which owns the handles and checks every
 * status. The natives of each platform come in this module's classifier jars.
 */
package dev.cllm.nativelib;
