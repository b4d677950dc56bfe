# Adds Stevedore to Docker's daemon.json, keeping every other key as it is written: MIRROR joins
# "registry-mirrors" first (Docker tries them in order) and, when set, INSECURE joins
# "insecure-registries".
# Exit 0: the merged file is on stdout; 3: both are there already; 2: not a JSON object (stderr).
function fail(why) {
  if (listing != "") print listing " is not a list of strings" > "/dev/stderr"
  else print "not a JSON object (" why " at byte " i ")" > "/dev/stderr"
  failed = 1
  exit 2
}
function ch() { return substr(s, i, 1) }
function ws() { while (i <= n && index(" \t\r\n", ch()) > 0) i++ }
function str(  c) {
  if (ch() != "\"") fail("a string expected")
  i++
  while (i <= n) {
    c = ch()
    if (c == "\\") { i += 2; continue }
    i++
    if (c == "\"") return
  }
  fail("an unterminated string")
}
function value(  c, depth) {
  c = ch()
  if (c == "\"") { str(); return }
  if (c == "{" || c == "[") {
    depth = 0
    while (i <= n) {
      c = ch()
      if (c == "\"") { str(); continue }
      if (c == "{" || c == "[") depth++
      if (c == "}" || c == "]") { depth--; if (depth == 0) { i++; return } }
      i++
    }
    fail("an unclosed " c)
  }
  if (c == "" || index(",}] \t\r\n", c) > 0) fail("a value expected")
  while (i <= n && index(",}] \t\r\n", ch()) == 0) i++
}
# The raw strings of a JSON array of strings, into list[1..count]; returns count.
function strings(raw, list,  save_s, save_n, save_i, count, start) {
  save_s = s; save_n = n; save_i = i
  s = raw; n = length(raw); i = 1; count = 0
  if (ch() != "[") fail("an array expected")
  i++; ws()
  if (ch() == "]") { s = save_s; n = save_n; i = save_i; return 0 }
  while (1) {
    ws(); start = i; str(); list[++count] = substr(s, start, i - start); ws()
    if (ch() == "]") break
    if (ch() != ",") fail(", or ] expected")
    i++
  }
  s = save_s; n = save_n; i = save_i
  return count
}
function unslashed(text) { sub(/\/"$/, "\"", text); return text }
# key's value with entry added to its array (created when missing); sets added when it was.
function joined(key, entry,  list, count, k, out) {
  if (!(key in values)) { order[++keys] = key; added = 1; return "[\"" entry "\"]" }
  listing = key
  count = strings(values[key], list)
  listing = ""
  for (k = 1; k <= count; k++) if (unslashed(list[k]) == unslashed("\"" entry "\"")) return values[key]
  added = 1
  out = "[\"" entry "\""
  for (k = 1; k <= count; k++) out = out ", " list[k]
  return out "]"
}
{ s = s $0 "\n" }
END {
  if (failed) exit 2
  n = length(s); i = 1; keys = 0; added = 0
  ws()
  if (i <= n) {
    if (ch() != "{") fail("{ expected")
    i++; ws()
    if (ch() == "}") i++
    else while (1) {
      ws(); start = i; str(); key = substr(s, start, i - start); ws()
      if (ch() != ":") fail(": expected")
      i++; ws(); start = i; value()
      if (!(key in values)) order[++keys] = key
      values[key] = substr(s, start, i - start); ws()
      if (ch() == "}") { i++; break }
      if (ch() != ",") fail(", or } expected")
      i++
    }
    ws()
    if (i <= n) fail("text after the object")
  }
  merged = joined("\"registry-mirrors\"", MIRROR)
  values["\"registry-mirrors\""] = merged
  if (INSECURE != "") {
    merged = joined("\"insecure-registries\"", INSECURE)
    values["\"insecure-registries\""] = merged
  }
  if (!added) exit 3
  print "{"
  for (k = 1; k <= keys; k++) print "  " order[k] ": " values[order[k]] (k < keys ? "," : "")
  print "}"
}
