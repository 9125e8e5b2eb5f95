package arca.rest;

import java.util.List;

/** A page of a list: {"items": [...], "total": N}. */
public record Page<T>(List<T> items, long total) {}
