# ---- what every Stevedore setup script does (the part above names this server and node kind) ----
# Nothing is written until every file is ready: the files are staged first, then put in place,
# each existing one copied to FILE.stevedore-backup-TIME before it changes.

sd_say() { printf 'stevedore setup: %s\n' "$*"; }
sd_die() { printf 'stevedore setup: %s\n' "$*" >&2; exit 1; }

sd_usage() {
  cat <<SD_USAGE
Points this node's $sd_kind_name at Stevedore ($STEVEDORE_URL).
usage: curl -fsSL $STEVEDORE_URL/setup/$sd_kind | sudo sh [-s -- OPTIONS]
  --root DIR   write under DIR instead of / (image builds, tests)
  --dry-run    print the files it would write; change nothing
  --restart    restart $sd_kind_name afterwards when a file changed
  --force      replace a file of yours that it would otherwise refuse to touch (a backup is kept)
SD_USAGE
}

sd_root=''
sd_dry_run=0
sd_restart=0
sd_force=0
while [ "$#" -gt 0 ]; do
  case $1 in
    --root)
      [ "$#" -ge 2 ] || sd_die "--root needs a directory"
      sd_root=$2
      shift 2
      ;;
    --root=*)
      sd_root=${1#--root=}
      shift
      ;;
    --dry-run) sd_dry_run=1; shift ;;
    --restart) sd_restart=1; shift ;;
    --force) sd_force=1; shift ;;
    -h | --help) sd_usage; exit 0 ;;
    *) sd_die "unknown option '$1' (use --root DIR, --dry-run, --restart, --force or --help)" ;;
  esac
done

if [ -n "$sd_root" ]; then
  [ -d "$sd_root" ] || sd_die "--root $sd_root is not a directory"
  sd_root=$(cd "$sd_root" && pwd -P)
  [ "$sd_root" = / ] && sd_root=''
elif [ "$sd_dry_run" = 0 ] && [ "$(id -u)" != 0 ]; then
  sd_die "run it as root (| sudo sh), or look first with: sh -s -- --dry-run"
fi

sd_stage=$(mktemp -d "${TMPDIR:-/tmp}/stevedore-setup.XXXXXX") || sd_die "cannot make a temporary directory"
trap 'rm -rf "$sd_stage"' EXIT
trap 'exit 130' INT TERM
sd_count=0
sd_changed=0
sd_needs_restart=0
sd_stamp=$(date +%Y%m%d%H%M%S)
sd_ca_file=''

# Stages stdin as the new content of PATH (a path on the node, without --root); a second argument
# "restart" says the service reads the file only when it starts.
sd_stage_file() {
  sd_count=$((sd_count + 1))
  cat >"$sd_stage/$sd_count"
  printf '%s\n' "$1" >"$sd_stage/$sd_count.path"
  [ "${2:-}" != restart ] || : >"$sd_stage/$sd_count.restart"
}

# Stages this server's CA certificate as PATH.
sd_stage_ca() {
  sd_stage_file "$@" <"$sd_ca_file"
}

# Like sd_stage_file, but refuses to replace a file that Stevedore did not write (without --force).
sd_stage_own_file() {
  if [ -f "$sd_root$1" ] && ! grep -q "Stevedore's node setup" "$sd_root$1" && [ "$sd_force" = 0 ]; then
    [ "$sd_dry_run" = 0 ] || sd_say "$sd_root$1 holds settings of yours: a run would stop here; merge this by hand or add --force"
    [ "$sd_dry_run" = 1 ] || sd_die "$sd_root$1 holds settings of yours, so it was left alone and nothing was changed:" \
      "merge what --dry-run prints into it by hand, or run again with --force to replace it (a backup is kept)"
  fi
  sd_stage_file "$@"
}

# Fails unless Stevedore answers /v2/ from this node (401 counts: it asks for credentials).
sd_check_mirror() {
  sd_url="$STEVEDORE_URL/v2/"
  if command -v curl >/dev/null 2>&1; then
    set -- curl -sS -o /dev/null -w '%{http_code}' --connect-timeout 5 --max-time 20
    [ -z "$sd_ca_file" ] || set -- "$@" --cacert "$sd_ca_file"
    sd_code=$("$@" "$sd_url" 2>"$sd_stage/check") || true
    case $sd_code in
      200 | 401) return 0 ;;
      '' | 000) sd_why=$(tr '\n' ' ' <"$sd_stage/check") ;;
      *) sd_why="HTTP $sd_code" ;;
    esac
  elif command -v wget >/dev/null 2>&1; then
    set -- wget -q -O /dev/null -T 20
    [ -z "$sd_ca_file" ] || set -- "$@" --ca-certificate="$sd_ca_file"
    if "$@" "$sd_url" 2>"$sd_stage/check"; then return 0; fi
    sd_why=$(tr '\n' ' ' <"$sd_stage/check")
  else
    sd_die "neither curl nor wget is installed to check $sd_url; nothing was changed"
  fi
  sd_die "Stevedore does not answer $sd_url from this node (${sd_why:-no answer}); nothing was changed"
}

# Puts every staged file in place (or prints it with --dry-run) and says what changed.
sd_apply() {
  sd_i=0
  while [ "$sd_i" -lt "$sd_count" ]; do
    sd_i=$((sd_i + 1))
    sd_path=$(cat "$sd_stage/$sd_i.path")
    sd_target=$sd_root$sd_path
    if [ "$sd_dry_run" = 1 ]; then
      if [ -f "$sd_target" ] && cmp -s "$sd_stage/$sd_i" "$sd_target"; then
        printf '==> %s (unchanged)\n' "$sd_target"
      else
        printf '==> %s\n' "$sd_target"
        cat "$sd_stage/$sd_i"
      fi
      continue
    fi
    if [ -f "$sd_target" ] && cmp -s "$sd_stage/$sd_i" "$sd_target"; then
      sd_say "unchanged $sd_target"
      continue
    fi
    mkdir -p "$(dirname "$sd_target")"
    if [ -e "$sd_target" ]; then
      cp -p "$sd_target" "$sd_target.stevedore-backup-$sd_stamp"
      sd_note=" (the old one is $sd_target.stevedore-backup-$sd_stamp)"
    else
      sd_note=''
    fi
    cp "$sd_stage/$sd_i" "$sd_target.stevedore-new"
    chmod 644 "$sd_target.stevedore-new"
    mv -f "$sd_target.stevedore-new" "$sd_target"
    sd_changed=1
    [ ! -e "$sd_stage/$sd_i.restart" ] || sd_needs_restart=1
    sd_say "wrote $sd_target$sd_note"
  done
}

# After sd_apply: says what happened; with --restart and a change, runs "$@" (the service's restart).
sd_finish() {
  if [ "$sd_dry_run" = 1 ]; then
    return 0
  elif [ "$sd_changed" = 0 ]; then
    sd_say "nothing changed: $sd_kind_name already pulls through $STEVEDORE_URL"
  elif [ "$#" -eq 0 ]; then
    sd_say "done: $sd_kind_name reads these files at each pull, nothing to restart"
  elif [ "$sd_restart" = 1 ]; then
    sd_say "running: $*"
    "$@" || sd_die "'$*' failed; the files are in place, apply them by hand"
  elif [ "$sd_needs_restart" = 1 ]; then
    sd_say "to apply: sudo $* (or run this again with: sh -s -- --restart)"
  else
    sd_say "done: $sd_kind_name reads these files at each pull, nothing to restart"
  fi
}
