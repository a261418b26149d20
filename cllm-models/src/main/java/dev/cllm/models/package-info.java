/**
 * The models shipped in the jar: a small teacher trained on generated grade-school math and its CLLM
 * ({@link dev.cllm.models.EmbeddedModels}), extracted once into a cache folder and loaded like any checkpoint.
 */
package dev.cllm.models;
