package arca.objects;

/** How many blobs a datasource holds, and their bytes. */
public record Usage(long blobs, long bytes) {}
