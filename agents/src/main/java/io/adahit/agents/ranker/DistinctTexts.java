package io.adahit.agents.ranker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The distinct texts of several candidate lists, in order of first appearance, and each list as
 * positions in them: sampled negatives repeat a lot, so each distinct text is encoded once.
 *
 * @param texts every distinct text once
 * @param lists {@code lists[i][j]} is the position in {@link #texts} of candidate j of list i
 */
public record DistinctTexts(List<String> texts, int[][] lists) {

  /** The distinct texts of {@code candidates}. */
  public static DistinctTexts of(List<List<String>> candidates) {
    Map<String, Integer> distinct = new LinkedHashMap<>();
    int[][] lists = new int[candidates.size()][];
    for (int i = 0; i < lists.length; i++) {
      List<String> l = candidates.get(i);
      lists[i] = new int[l.size()];
      for (int j = 0; j < lists[i].length; j++) {
        Integer at = distinct.putIfAbsent(l.get(j), distinct.size());
        lists[i][j] = at == null ? distinct.size() - 1 : at;
      }
    }
    return new DistinctTexts(List.copyOf(new ArrayList<>(distinct.keySet())), lists);
  }
}
