package dev.stevedore.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.cache.AcceptedTypes;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.storage.Digest;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The hand-written parsers on the request path agree with their obvious slow versions: grammar
 * checks accept exactly what the spec's regular expressions accept, and the Accept parser splits as
 * {@code String.split} would. The slow versions live here as oracles.
 */
class GrammarOracleProperties {
  private static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
  private static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
  private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
  private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");
  private static final Pattern SHA512 = Pattern.compile("sha512:[a-f0-9]{128}");

  /** Mostly grammar characters, so that valid and nearly valid values both come up often. */
  @Provide
  Arbitrary<String> nameLike() {
    return Arbitraries.strings().withChars("ab09._-/A:").ofMinLength(0).ofMaxLength(40);
  }

  @Provide
  Arbitrary<String> tagLike() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("aZ9_.-/:").ofMaxLength(12),
        Arbitraries.strings().withChars("aZ9_.-").ofMinLength(125).ofMaxLength(131));
  }

  @Provide
  Arbitrary<String> digestLike() {
    Arbitrary<String> hex =
        Arbitraries.strings().withChars("0af9gA").ofMinLength(62).ofMaxLength(130);
    return Arbitraries.of("sha256:", "sha512:", "md5:", "sha256").flatMap(a -> hex.map(h -> a + h));
  }

  @Property(tries = 5000)
  void repositoryName_acceptsExactlyTheSpecGrammar(@ForAll("nameLike") String text) {
    assertThat(accepts(() -> RepositoryName.parse(text))).isEqualTo(NAME.matcher(text).matches());
  }

  @Property(tries = 3000)
  void tag_acceptsExactlyTheSpecGrammar(@ForAll("tagLike") String text) {
    boolean digestLike = text.indexOf(':') >= 0;
    if (!digestLike) {
      assertThat(accepts(() -> Reference.parse(text))).isEqualTo(TAG.matcher(text).matches());
    }
  }

  @Property(tries = 3000)
  void digest_acceptsExactlyLowercaseHexOfTheRightLength(@ForAll("digestLike") String text) {
    boolean expected = SHA256.matcher(text).matches() || SHA512.matcher(text).matches();
    assertThat(Digest.isValid(text)).isEqualTo(expected);
    if (text.indexOf(':') >= 0) { // without one it is a tag
      assertThat(accepts(() -> Reference.parse(text))).isEqualTo(expected);
    }
  }

  @Provide
  Arbitrary<List<String>> acceptLike() {
    return Arbitraries.strings().withChars("ab/+;=q ,.*").ofMaxLength(30).list().ofMaxSize(3);
  }

  @Property(tries = 3000)
  void acceptHeaders_parseAsSplittingOnCommasAndDroppingParameters(
      @ForAll("acceptLike") List<String> headers) {
    List<String> expected =
        headers.stream()
            .flatMap(value -> Arrays.stream(value.split(",", -1)))
            .map(part -> part.split(";", 2)[0].trim())
            .filter(part -> !part.isEmpty())
            .distinct()
            .toList();
    assertThat(AcceptedTypes.parse(headers).mediaTypes()).isEqualTo(expected);
  }

  private static boolean accepts(Runnable parse) {
    try {
      parse.run();
      return true;
    } catch (RegistryException refused) {
      return false;
    }
  }
}
