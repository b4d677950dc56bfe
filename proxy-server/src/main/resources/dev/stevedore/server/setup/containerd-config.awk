# Points containerd's CRI registry config_path at CERTS in an existing config.toml, changing no
# other line: an empty config_path is set, a registry table without one gets it, a version 2 file
# without the table gets the table. Exit 0: the new file is on stdout; 3: containerd already reads
# CERTS (or, version 3, does by default); 4: left alone, the reason on stderr.
function header(line) {
  sub(/^[ \t]+/, "", line); sub(/[ \t]*(#.*)?$/, "", line); gsub(/'/, "\"", line)
  return line
}
function registry(name) {
  return name == "[plugins.\"io.containerd.grpc.v1.cri\".registry]" || name == "[plugins.\"io.containerd.cri.v1.images\".registry]"
}
function setting() { return "  config_path = \"" CERTS "\"" }
function leave(why) { print why > "/dev/stderr"; left = 1; exit 4 }
BEGIN { in_registry = 0; found = 0; changed = 0; version = 1; tables = 0 }
/^[ \t]*version[ \t]*=/ && !tables { v = $0; sub(/^[^=]*=[ \t]*/, "", v); version = v + 0 }
/^[ \t]*\[/ {
  if (in_registry && !found) { print setting(); found = 1; changed = 1 }
  tables = 1
  name = header($0)
  in_registry = registry(name)
  if (name ~ /\.registry\.mirrors\./) mirrors = 1
  print
  next
}
in_registry && /^[ \t]*config_path[ \t]*=/ {
  found = 1
  v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]*(#.*)?$/, "", v)
  if (v == "\"\"" || v == "''") {
    indent = $0; sub(/[^ \t].*$/, "", indent)
    print indent "config_path = \"" CERTS "\""
    changed = 1
    next
  }
  if (index(v, CERTS) == 0) other = v
}
{ print }
END {
  if (left) exit 4
  if (in_registry && !found) { print setting(); found = 1; changed = 1 }
  if (mirrors) leave("it has registry mirrors tables, which containerd refuses next to config_path: move them to hosts.toml files and set config_path = \"" CERTS "\" by hand")
  if (other != "") leave("its config_path is " other ": containerd reads hosts.toml files there, not in " CERTS)
  if (!found) {
    if (version >= 3) exit 3
    if (version != 2) leave("it is a version " version " config: set the CRI registry config_path to " CERTS " by hand")
    print ""
    print "[plugins.\"io.containerd.grpc.v1.cri\".registry]"
    print setting()
    changed = 1
  }
  if (!changed) exit 3
}
