package dev.stevedore.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.cache.AcceptedTypes;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.core.model.ManifestDocument;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.WwwAuthenticate;
import dev.stevedore.storage.Digest;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Hostile input never gets past the grammar: every parser either accepts a value that is safe in a
 * path and a URL, or refuses it with the one error type the server turns into an OCI error.
 */
class GrammarProperties {

  @Provide
  Arbitrary<String> pathLike() {
    return Arbitraries.strings()
        .withChars("abcXYZ019._-/:@%\\\u0000\n ~..")
        .ofMaxLength(80)
        .injectDuplicates(0.1);
  }

  @Property(tries = 2000)
  void repositoryName_acceptsOnlySafeNames(@ForAll("pathLike") String text) {
    try {
      RepositoryName name = RepositoryName.parse(text);
      assertThat(name.value())
          .matches("[a-z0-9._/-]+")
          .doesNotStartWith("/")
          .doesNotEndWith("/")
          .doesNotContain("//")
          .doesNotContain("..");
      assertThat(List.of(name.value().split("/")))
          .noneMatch(part -> part.equals(".") || part.isEmpty());
    } catch (RegistryException refused) {
      assertThat(refused.code().name()).isEqualTo("NAME_INVALID");
    }
  }

  @Property(tries = 2000)
  void anyString_isNameOrRefused(@ForAll String text) {
    try {
      RepositoryName.parse(text);
    } catch (RegistryException refused) {
      // the only way to say no
    }
  }

  @Property(tries = 2000)
  void reference_isTagOrDigestOrRefused(@ForAll("pathLike") String text) {
    try {
      Reference reference = Reference.parse(text);
      assertThat(reference.value())
          .doesNotContain("/")
          .doesNotStartWith(".")
          .doesNotContain("\u0000")
          .doesNotContain("\n");
    } catch (RegistryException refused) {
      assertThat(refused.code().name()).isIn("DIGEST_INVALID", "MANIFEST_INVALID");
    }
  }

  @Property(tries = 2000)
  void digest_isLowercaseHexOrRefused(@ForAll String text) {
    try {
      Digest digest = Digest.parse(text);
      assertThat(digest.hex()).matches("[a-f0-9]+");
      assertThat(Digest.parse(digest.toString())).isEqualTo(digest);
    } catch (IllegalArgumentException refused) {
      // invalid digest
    }
  }

  @Property(tries = 2000)
  void imageReference_roundTripsOrIsRefused(@ForAll("pathLike") String text) {
    try {
      ImageReference image = ImageReference.parse(text);
      assertThat(ImageReference.parse(image.toString())).isEqualTo(image);
    } catch (RegistryException refused) {
      // invalid image name
    }
  }

  @Property(tries = 1000)
  void acceptHeaders_neverThrow(@ForAll List<String> headers) {
    AcceptedTypes accepted = AcceptedTypes.parse(headers);
    assertThat(accepted.mediaTypes()).noneMatch(String::isEmpty);
  }

  @Property(tries = 1000)
  void wwwAuthenticate_neverThrows(@ForAll String header) {
    assertThat(WwwAuthenticate.parse(header)).isNotNull();
  }

  @Property(tries = 1000)
  void manifestBodies_parseOrAreManifestInvalid(@ForAll byte[] body) {
    try {
      ManifestDocument.parse(MediaTypes.OCI_MANIFEST, body);
    } catch (RegistryException refused) {
      assertThat(refused.code().name()).isEqualTo("MANIFEST_INVALID");
    }
  }

  @Property(tries = 50)
  void deeplyNestedJson_isRefusedNotAStackOverflow(@ForAll("depths") int depth) {
    String nested = "[".repeat(depth) + "]".repeat(depth);
    byte[] body = ("{\"config\":" + nested + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try {
      ManifestDocument.parse(MediaTypes.OCI_MANIFEST, body);
    } catch (RegistryException refused) {
      assertThat(refused.code().name()).isEqualTo("MANIFEST_INVALID");
    }
  }

  @Provide
  Arbitrary<Integer> depths() {
    return Arbitraries.integers().between(500, 100_000);
  }
}
