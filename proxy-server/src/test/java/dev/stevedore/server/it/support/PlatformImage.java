package dev.stevedore.server.it.support;

import java.util.ArrayList;
import java.util.List;

/** One platform's image: its manifest and the config and layer blobs the manifest references. */
public record PlatformImage(Platform platform, Blob manifest, Blob config, List<Blob> layers) {

  public PlatformImage {
    layers = List.copyOf(layers);
  }

  /** The config, then the layers. */
  public List<Blob> blobs() {
    List<Blob> blobs = new ArrayList<>(layers.size() + 1);
    blobs.add(config);
    blobs.addAll(layers);
    return blobs;
  }
}
