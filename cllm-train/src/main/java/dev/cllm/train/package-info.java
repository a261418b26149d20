/**
 * Making a CLLM: collecting Jacobi trajectories with a teacher (with cleaning and augmentation), streaming
 * them from files or shard directories with a bounded shuffle buffer, and the training loop with its
 * consistency and AR objectives, AdamW, schedules, checkpoints that resume exactly, and logs and plots.
 */
package dev.cllm.train;
