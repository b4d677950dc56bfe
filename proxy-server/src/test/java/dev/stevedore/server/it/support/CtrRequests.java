package dev.stevedore.server.it.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * containerd's own account of the registry requests of one {@code ctr --debug images pull}: its
 * resolver and fetcher log each request ({@code msg="do request" request.method=.. url=..}) and
 * each answer ({@code msg="fetch response received" response.status=.. url=..
 * response.header.NAME=..}) as one logfmt line, so concurrent fetches cannot garble them.
 */
public record CtrRequests(List<Map<String, String>> requests, List<Map<String, String>> responses) {
  private static final Pattern FIELD =
      Pattern.compile("([\\w.-]+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S*)");

  public CtrRequests {
    requests = requests.stream().map(Map::copyOf).toList();
    responses = responses.stream().map(Map::copyOf).toList();
  }

  /** Parses the combined output of {@code ctr --debug images pull ...}. */
  public static CtrRequests parse(String ctrOutput) {
    List<Map<String, String>> requests = new ArrayList<>();
    List<Map<String, String>> responses = new ArrayList<>();
    for (String line : ctrOutput.lines().toList()) {
      if (!line.contains("level=debug")) {
        continue;
      }
      Map<String, String> fields = fields(line);
      String message = fields.getOrDefault("msg", "");
      if (message.equals("do request")) {
        requests.add(fields);
      } else if (message.equals("fetch response received")) {
        responses.add(fields);
      }
    }
    return new CtrRequests(requests, responses);
  }

  /** {@code "GET http://HOST:PORT/v2/NAME/blobs/DIGEST?ns=REGISTRY"}, in the order sent. */
  public List<String> requestLines() {
    return requests.stream()
        .map(fields -> fields.get("request.method") + " " + fields.get("url"))
        .toList();
  }

  /** {@code "200 OK http://HOST:PORT/v2/..."}, in the order received. */
  public List<String> responseLines() {
    return responses.stream()
        .map(fields -> fields.get("response.status") + " " + fields.get("url"))
        .toList();
  }

  /** The value of one response header ({@code name} in lower case) of every response. */
  public List<String> responseHeader(String name) {
    return responses.stream()
        .map(fields -> fields.getOrDefault("response.header." + name, ""))
        .toList();
  }

  private static Map<String, String> fields(String line) {
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher field = FIELD.matcher(line);
    while (field.find()) {
      String value = field.group(2);
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
      }
      fields.putIfAbsent(field.group(1), value);
    }
    return fields;
  }
}
