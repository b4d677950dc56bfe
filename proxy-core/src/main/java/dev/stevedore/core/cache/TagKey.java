package dev.stevedore.core.cache;

import dev.stevedore.core.model.RepositoryName;

/** One tag of one repository of one upstream. */
record TagKey(String registry, RepositoryName repo, String tag) {}
