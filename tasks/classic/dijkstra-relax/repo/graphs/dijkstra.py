"""Dijkstra's shortest paths over {node: [(neighbour, weight)]}."""

import heapq


def shortest_distances(graph, source):
    dist = {source: 0}
    heap = [(0, source)]
    while heap:
        d, node = heapq.heappop(heap)
        if d > dist[node]:
            continue
        for nbr, weight in graph.get(node, ()):
            candidate = d + weight
            if candidate > dist.get(nbr, float("inf")):
                dist[nbr] = candidate
                heapq.heappush(heap, (candidate, nbr))
    return dist
