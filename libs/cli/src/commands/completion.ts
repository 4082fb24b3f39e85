import type { Command } from 'commander';
import type { CliCommand } from '../command';
import { usageError } from '../exit-codes';

/** Every command path (`''`, `'entities'`, `'entities list'`) with the words that may follow it. */
export function completionTable(program: Command): Map<string, string[]> {
  const table = new Map<string, string[]>();
  const globals = program.options.map((o) => o.long ?? '');
  const visit = (command: Command, path: string): void => {
    const words = [
      ...command.commands.map((c) => c.name()),
      ...command.options.map((o) => o.long ?? o.short ?? ''),
      ...(path === '' ? [] : globals),
      '--help',
    ].filter((w) => w !== '' && (path === '' || w !== '--version'));
    table.set(path, words);
    for (const sub of command.commands) visit(sub, path === '' ? sub.name() : `${path} ${sub.name()}`);
  };
  visit(program, '');
  return table;
}

/** A bash completion function generated from the commands, so it never falls behind them. */
export function bashCompletion(program: Command): string {
  const table = completionTable(program);
  const cases = [...table].map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`).join('\n');
  const known = [...table.keys()]
    .filter((p) => p !== '')
    .map((p) => `"${p}"`)
    .join('|');
  return `# durable shell completion: eval "$(durable completion bash)"
_durable_completion() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" i w words
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "\${path:+$path }$w" in
      ${known}) path="\${path:+$path }$w" ;;
    esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _durable_completion durable
`;
}

export const completionCommand: CliCommand = {
  register: (program, on) =>
    program
      .command('completion')
      .description('print a shell completion script: eval "$(durable completion bash)" (zsh too)')
      .argument('[shell]', 'bash or zsh', 'bash')
      .action(
        on(async (ctx, shell: string) => {
          if (shell === 'bash') return ctx.print(bashCompletion(program));
          // zsh runs bash completion functions through bashcompinit.
          if (shell === 'zsh')
            return ctx.print(`autoload -U +X bashcompinit && bashcompinit\n${bashCompletion(program)}`);
          throw usageError(`no completion for '${shell}': bash or zsh`);
        }),
      ),
};
