package io.adahit.eval.harness;

import io.adahit.eval.teachers.Example;

/**
 * An example with the dialogue context the agent sees for it (ParlAI's history: earlier texts and
 * gold replies joined by "\n", cleared after each episode) and its place in the run.
 *
 * @param name readable id, e.g. "convai2 valid episode 3 example 1"
 * @param episode index of its episode in the teacher
 * @param example the teacher's message
 * @param context the history the ranker encodes
 */
public record EvalExample(String name, int episode, Example example, String context) {}
