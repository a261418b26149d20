/**
 * {@code cllm demo}: the embedded teacher and CLLM on held-out questions, their accuracy and speed, and a
 * live rendering of Jacobi iterations.
 */
package dev.cllm.demo;
