/**
 * The README's and the Javadoc's examples as programs; every build runs them on the embedded CLLM and
 * checks that the documentation shows them unchanged.
 */
package dev.cllm.examples;
