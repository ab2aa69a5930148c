# Shared by e2e/cluster/build.sh and e2e/engines/build.sh (sourced, not run).
# build_components DIR_FN COMPONENT...: builds each component not yet cached, timing each, then prints a summary.
# The caller defines log, is_built C, build_C and DIR_FN C (prints the component's cache directory).
build_components() {
  local dir_fn="$1" c d start secs total_start summary=()
  shift
  total_start=$(date +%s)
  for c in "$@"; do
    d="$("$dir_fn" "$c")"
    if is_built "$c"; then summary+=("$c: cached in $d"); continue; fi
    log "$c: building into $d${BUILD_HINT:+ ($BUILD_HINT)}"
    start=$(date +%s)
    "build_$c"
    secs=$(( $(date +%s) - start ))
    log "$c: built in ${secs}s"
    summary+=("$c: built in ${secs}s")
  done
  log "summary ($(( $(date +%s) - total_start ))s total):"
  for c in "${summary[@]}"; do log "  $c"; done
}
