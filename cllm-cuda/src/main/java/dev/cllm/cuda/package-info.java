/**
 * CUDA helpers for applications with a GPU: the devices the CUDA backend sees, and running a session on
 * the application's own CUDA stream. This module also brings the CUDA backend plugin (natives); the CPU
 * path never loads any CUDA library.
 */
package dev.cllm.cuda;
