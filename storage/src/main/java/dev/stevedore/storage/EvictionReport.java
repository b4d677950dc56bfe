package dev.stevedore.storage;

import java.time.Duration;

/**
 * What one {@link StoreEviction#run} did.
 *
 * @param blobs the blobs the store held before the run
 * @param bytes their total size
 * @param evicted how many of them the run deleted
 * @param evictedBytes their total size
 * @param took how long the run took
 */
public record EvictionReport(
    long blobs, long bytes, long evicted, long evictedBytes, Duration took) {}
