"""CLOS-style generic functions over Python classes with JIT-compiled native dispatchers."""
