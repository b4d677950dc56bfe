package dev.stevedore.server.it.support;

/** Which family of media types a {@link TestImage} uses. */
public enum ImageFormat {
  OCI(
      MediaTypes.OCI_INDEX,
      MediaTypes.OCI_MANIFEST,
      MediaTypes.OCI_CONFIG,
      MediaTypes.OCI_LAYER_GZIP),
  DOCKER(
      MediaTypes.DOCKER_MANIFEST_LIST,
      MediaTypes.DOCKER_MANIFEST,
      MediaTypes.DOCKER_CONFIG,
      MediaTypes.DOCKER_LAYER_GZIP);

  private final String indexType;
  private final String manifestType;
  private final String configType;
  private final String layerType;

  ImageFormat(String indexType, String manifestType, String configType, String layerType) {
    this.indexType = indexType;
    this.manifestType = manifestType;
    this.configType = configType;
    this.layerType = layerType;
  }

  /** OCI image index or Docker manifest list. */
  public String indexType() {
    return indexType;
  }

  public String manifestType() {
    return manifestType;
  }

  public String configType() {
    return configType;
  }

  public String layerType() {
    return layerType;
  }
}
