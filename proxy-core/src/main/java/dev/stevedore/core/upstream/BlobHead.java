package dev.stevedore.core.upstream;

/** Upstream's answer to {@code HEAD …/blobs/<digest>}: the length, {@code -1} when unknown. */
public record BlobHead(long contentLength) {}
