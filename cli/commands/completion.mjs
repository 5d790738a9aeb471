// @ts-check
// `hookline completion bash|zsh|fish`: a script completing commands, kinds and flags.
import { UsageError } from "../http.mjs";
import { KINDS } from "../kinds.mjs";

/** @type {import("../args.mjs").Command} */
export const completionCommand = {
  name: "completion",
  synopsis: "completion bash|zsh|fish",
  summary: "print a shell completion script",
  usage: "Usage: hookline completion bash|zsh|fish\n\n  source <(hookline completion bash)",
  run: completion,
};

/**
 * @param {string[]} argv @param {string} usage
 * @param {readonly import("../args.mjs").Command[]} commands every command, for the first word
 */
async function completion(argv, usage, commands) {
  const [shell] = argv;
  const names = commands.map((command) => command.name).join(" ");
  const kinds = KINDS.map((kind) => kind.names[0]).join(" ");
  const flags = "--server --token --output --namespace --filename --dry-run --no-headers --help";
  if (shell === "bash") {
    console.log(`# hookline completion for bash: source <(hookline completion bash)
_hookline() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  case "$prev" in
    get|delete) COMPREPLY=( $(compgen -W "${kinds}" -- "$cur") ); return ;;
    -o|--output) COMPREPLY=( $(compgen -W "table wide name json yaml jsonpath=" -- "$cur") ); return ;;
    -f|--filename) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=( $(compgen -W "${names}" -- "$cur") );
  else COMPREPLY=( $(compgen -W "${flags}" -- "$cur") ); fi
}
complete -F _hookline hookline`);
    return 0;
  }
  if (shell === "zsh") {
    console.log(`#compdef hookline
# hookline completion for zsh: source <(hookline completion zsh)
_hookline() {
  if (( CURRENT == 2 )); then compadd ${names}
  elif [[ $words[2] == (get|delete) && CURRENT == 3 ]]; then compadd ${kinds}
  else compadd -- ${flags}; fi
}
compdef _hookline hookline`);
    return 0;
  }
  if (shell === "fish") {
    console.log(`# hookline completion for fish: hookline completion fish | source
complete -c hookline -f -n "__fish_use_subcommand" -a "${names}"
complete -c hookline -f -n "__fish_seen_subcommand_from get delete" -a "${kinds}"
complete -c hookline -s o -l output -x -a "table wide name json yaml jsonpath="
complete -c hookline -s n -l namespace -x
complete -c hookline -s f -l filename -r`);
    return 0;
  }
  throw new UsageError(usage);
}
