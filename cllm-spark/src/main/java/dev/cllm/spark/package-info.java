/**
 * Jacobi trajectory collection on Apache Spark: prompts in (JSONL or Parquet), records out (Parquet and
 * JSONL part files that {@code cllm train} reads), one teacher per executor JVM, the same per-prompt function
 * as {@code cllm trajectories}, so the records do not depend on partitioning or task retries.
 */
package dev.cllm.spark;
