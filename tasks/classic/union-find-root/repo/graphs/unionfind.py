"""Disjoint sets with path compression."""


class DisjointSet:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        if self.parent[x] != x:
            self.parent[x] = self.find(self.parent[x])
        return self.parent[x]

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[a] = rb

    def connected(self, a, b):
        return self.find(a) == self.find(b)


def count_components(nodes, edges):
    ds = DisjointSet()
    for n in nodes:
        ds.find(n)
    for a, b in edges:
        ds.union(a, b)
    return len({ds.find(n) for n in nodes})
