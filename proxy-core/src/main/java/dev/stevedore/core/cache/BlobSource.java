package dev.stevedore.core.cache;

/** Where a blob's bytes come from: a committed file, or a download in flight. */
public sealed interface BlobSource permits StoredBlob, BlobFetch {}
