# bash completion for wblab, the password-writeback test lab (installed as
# /usr/share/bash-completion/completions/wblab). Subcommands, their options, and values where
# wblab can tell them: scenario ids and tags (from `wblab list`), criterion ids, directory
# flavours, report files. The option lists are checked against `wblab <command> --help` by a test.

_wblab_words_of() {
    # Scenario ids (column 1) or tags (column 3) of the scenarios under the paths typed so far
    # (none typed: ./scenarios, else the ones bundled with wblab).
    local column=$1 paths=() w
    for w in "${COMP_WORDS[@]:2:COMP_CWORD-2}"; do
        [[ -e $w && $w != -* ]] && paths+=("$w")
    done
    "${COMP_WORDS[0]}" list "${paths[@]}" 2>/dev/null | cut -f"$column" | tr ',' '\n' | sort -u
}

_wblab_criteria() {
    "${COMP_WORDS[0]}" criteria 2>/dev/null | awk '/^[a-z]+-[a-z0-9-]+/ {print $1}'
}

_wblab() {
    local cur prev words cword
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    local commands="run validate list explain criteria zoo lab report"
    local selection="--tags --exclude-tags --id --filter --criteria --event --outcome --last-failed --shard"
    local command="${COMP_WORDS[1]}"

    if [[ $COMP_CWORD -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi

    case "$prev" in
        --directory) COMPREPLY=($(compgen -W "slapd samba" -- "$cur")); return ;;
        --id) COMPREPLY=($(compgen -W "$(_wblab_words_of 1)" -- "$cur")); return ;;
        --tags|--exclude-tags) COMPREPLY=($(compgen -W "$(_wblab_words_of 3)" -- "$cur")); return ;;
        --criteria) COMPREPLY=($(compgen -W "$(_wblab_criteria)" -- "$cur")); return ;;
        --last-failed|--baseline) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --report-dir|--in|--include-root) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --agent) COMPREPLY=($(compgen -W "reference" -- "$cur") $(compgen -c -- "$cur")); return ;;
        --seed|--run-id|--max-failures|--jobs|-j|--scenario-timeout|--step-timeout|--filter|--shard|--faults|--mutations)
            return ;;
    esac

    local options=""
    case "$command" in
        run) options="--agent --report-dir --keep --fresh-agents --fresh-fixtures --seed --run-id --max-failures -x --jobs -j --scenario-timeout --step-timeout --baseline --directory --include-root $selection" ;;
        list) options="--include-root $selection" ;;
        validate) options="--include-root" ;;
        explain) options="--in --include-root" ;;
        criteria) options="--markdown --in" ;;
        zoo) options="--agent --jobs -j --step-timeout --faults --mutations --no-lab --quick --fresh-fixtures --directory --include-root" ;;
        lab)
            if [[ $COMP_CWORD -eq 2 ]]; then COMPREPLY=($(compgen -W "up" -- "$cur")); return; fi
            options="--until --agent --port --record --as --token-file --keep --directory --include-root" ;;
        report)
            if [[ $COMP_CWORD -eq 2 ]]; then COMPREPLY=($(compgen -W "merge" -- "$cur")); return; fi
            options="--report-dir" ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options --help" -- "$cur"))
    elif [[ $command == explain && $COMP_CWORD -eq 2 ]]; then
        COMPREPLY=($(compgen -W "$(_wblab_words_of 1) $(_wblab_criteria)" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

complete -o filenames -o bashdefault -F _wblab wblab
