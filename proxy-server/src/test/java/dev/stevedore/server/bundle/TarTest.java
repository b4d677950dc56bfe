package dev.stevedore.server.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarTest {
  private static final String SHA512_PATH = "blobs/sha512/" + "ab".repeat(64);

  @TempDir Path dir;

  @Test
  void roundTrip_bytesAndFiles_ofEveryPaddingCase() throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    Random random = new Random(1);
    for (int size : new int[] {0, 1, 511, 512, 513, 1024, 70_001}) {
      byte[] content = new byte[size];
      random.nextBytes(content);
      files.put("blobs/sha256/file-" + size, content);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarWriter writer = new TarWriter(Channels.newChannel(out), 0);
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      if (file.getValue().length % 2 == 0) {
        writer.add(file.getKey(), file.getValue());
      } else {
        Path source = Files.write(dir.resolve("source-" + file.getValue().length), file.getValue());
        writer.add(file.getKey(), source, file.getValue().length);
      }
    }
    writer.finish();
    byte[] tar = out.toByteArray();

    assertThat(tar.length % 512).isZero();
    assertThat(writer.written()).isEqualTo(tar.length);
    assertThat(readAll(tar)).containsExactlyEntriesOf(files);
  }

  @Test
  void roundTrip_longNames_useUstarPrefixOrPax() throws IOException {
    String prefixed = "a".repeat(120) + "/" + "b".repeat(90);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(prefixed, bytes("prefix"));
    files.put(SHA512_PATH, bytes("pax"));
    files.put("c".repeat(300), bytes("pax, no slash"));

    byte[] tar = tar(files);

    assertThat(readAll(tar)).containsExactlyEntriesOf(files);
  }

  @Test
  void writtenArchive_isReadBySystemTar() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("oci-layout", bytes("{}"));
    files.put("blobs/sha256/" + "0".repeat(64), bytes("hello"));
    files.put(SHA512_PATH, bytes("long name"));
    Path archive = Files.write(dir.resolve("a.tar"), tar(files));

    List<String> listed = systemTar("-tf", archive.toString());

    assertThat(listed).containsExactlyElementsOf(files.keySet());
  }

  @Test
  void archiveFromSystemTar_isRead_directoriesSkipped() throws Exception {
    Path root = Files.createDirectories(dir.resolve("layout/blobs/sha256"));
    Files.writeString(dir.resolve("layout/index.json"), "{}");
    Files.writeString(root.resolve("x".repeat(64)), "content");
    Path archive = dir.resolve("gnu.tar");
    systemTar("-C", dir.resolve("layout").toString(), "-cf", archive.toString(), ".");

    Map<String, byte[]> read = readAll(Files.readAllBytes(archive));

    assertThat(read.keySet())
        .containsExactlyInAnyOrder("index.json", "blobs/sha256/" + "x".repeat(64));
    assertThat(read.get("index.json")).isEqualTo(bytes("{}"));
  }

  @Test
  void base256Size_forEntriesOf8GiBAndMore() {
    long size = 9L * 1024 * 1024 * 1024;
    byte[] header = TarHeader.encode("big", size, TarHeader.REGULAR, 0);

    assertThat(header[124] & 0xff).isEqualTo(0x80);
    assertThat(TarHeader.decode(header, 0).size()).isEqualTo(size);
  }

  @Test
  void headerWithBadChecksum_isRefused() {
    byte[] tar = tar(Map.of("index.json", bytes("{}")));
    tar[5] ^= 0x20;

    assertThatThrownBy(() -> readAll(tar))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("checksum mismatch");
  }

  @Test
  void truncatedAnywhereBeforeTheEndMarker_isRefused() throws IOException {
    byte[] tar = tar(Map.of("a", bytes("x".repeat(700)), "b", bytes("y")));
    int endMarker = tar.length - 1024;

    for (int cut = 0; cut < endMarker + 512; cut += 97) {
      byte[] truncated = Arrays.copyOf(tar, cut);
      assertThatThrownBy(() -> readAll(truncated))
          .as("cut at %d", cut)
          .isInstanceOf(BundleException.class)
          .hasMessageStartingWith("bundle is truncated");
    }
    assertThat(readAll(Arrays.copyOf(tar, endMarker + 512))).hasSize(2);
  }

  @Test
  void unsafeNames_areRefused() {
    for (String name : List.of("/etc/passwd", "../escape", "blobs/../../x", "a/\u0001b", "a\\b")) {
      byte[] tar = raw(name, TarHeader.REGULAR);
      assertThatThrownBy(() -> readAll(tar)).as(name).isInstanceOf(BundleException.class);
    }
  }

  @Test
  void safeNames_areNormalised() {
    assertThat(TarReader.safeName("./blobs//sha256/x")).isEqualTo("blobs/sha256/x");
    assertThat(TarReader.safeName("blobs/sha256/")).isEqualTo("blobs/sha256");
    assertThat(TarReader.safeName("./")).isEqualTo(".");
  }

  @Test
  void linksDevicesAndFifos_areRefused() {
    Map<Character, String> kinds =
        Map.of(
            '1', "a hard link", '2', "a symbolic link", '3', "a character device", '6', "a FIFO");
    kinds.forEach(
        (type, description) ->
            assertThatThrownBy(() -> readAll(raw("blobs/sha256/x", (byte) type.charValue())))
                .isInstanceOf(BundleException.class)
                .hasMessage(
                    "bundle entry blobs/sha256/x is "
                        + description
                        + "; a bundle may hold only regular files"));
  }

  @Test
  void paxPathWithDotDot_isRefused() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] record = TarWriter.paxRecord("path", "../../etc/cron.d/x");
    out.write(TarHeader.encode("PaxHeaders/x", record.length, TarHeader.PAX_EXTENDED, 0));
    out.write(Arrays.copyOf(record, 512));
    out.write(TarHeader.encode("x", 0, TarHeader.REGULAR, 0));
    out.write(new byte[1024]);

    assertThatThrownBy(() -> readAll(out.toByteArray()))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("leaves the bundle");
  }

  @Test
  void paxRecordLength_countsItsOwnDigits() {
    for (int length = 0; length < 300; length++) {
      byte[] record = TarWriter.paxRecord("path", "p".repeat(length));
      String text = new String(record, StandardCharsets.UTF_8);
      assertThat(Integer.parseInt(text.substring(0, text.indexOf(' ')))).isEqualTo(record.length);
    }
  }

  private static byte[] raw(String name, byte type) {
    byte[] tar = new byte[512 * 3];
    System.arraycopy(TarHeader.encode(name, 0, type, 0), 0, tar, 0, 512);
    return tar;
  }

  private static byte[] tar(Map<String, byte[]> files) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      TarWriter writer = new TarWriter(Channels.newChannel(out), 0);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        writer.add(file.getKey(), file.getValue());
      }
      writer.finish();
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, byte[]> readAll(byte[] tar) throws IOException {
    TarReader reader = new TarReader(new ByteArrayInputStream(tar));
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (Optional<TarReader.Entry> entry = reader.next();
        entry.isPresent();
        entry = reader.next()) {
      files.put(entry.get().name(), entry.get().content().readAllBytes());
    }
    return files;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private List<String> systemTar(String... args) throws Exception {
    Path tar = Path.of("/usr/bin/tar");
    assertThat(tar)
        .as("TarTest needs GNU tar (Debian: apt-get install tar; run-tests does)")
        .isExecutable();
    List<String> command = new ArrayList<>(List.of(tar.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output.lines().toList();
  }
}
