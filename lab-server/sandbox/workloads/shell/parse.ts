/**
 * Shell syntax of the simple kind: words with quotes and escapes, $VAR and
 * ${VAR}, pipelines with |, lists with ; && ||, and output redirection to
 * /dev/null or 2>&1. Anything else is passed through as words.
 */
export interface SimpleCommand {
  argv: string[];
  discardStdout: boolean;
  discardStderr: boolean;
  stderrToStdout: boolean;
}

/** A word of one command; operators were split off by splitLine. */
type Token = { word: string };

function tokenize(line: string, env: Record<string, string>): Token[] | string {
  const tokens: Token[] = [];
  let word = '';
  let inWord = false;
  const expand = (at: number): [string, number] => {
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(line.slice(at));
    if (braced) return [env[braced[1]!] ?? '', braced[0].length];
    const plain = /^\$([A-Za-z_][A-Za-z0-9_]*|\?)/.exec(line.slice(at));
    if (plain) return [env[plain[1]!] ?? '', plain[0].length];
    return ['$', 1];
  };
  for (let i = 0; i < line.length; ) {
    const c = line[i]!;
    if (c === '#' && !inWord) break;
    if (c === ' ' || c === '\t') {
      if (inWord) tokens.push({ word });
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return 'unexpected EOF while looking for matching `\'\'';
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      inWord = true;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) {
          word += line[i + 1];
          i += 2;
        } else if (line[i] === '$') {
          const [value, length] = expand(i);
          word += value;
          i += length;
        } else word += line[i++];
      }
      if (i >= line.length) return 'unexpected EOF while looking for matching `"\'';
      i++;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[i + 1];
      inWord = true;
      i += 2;
    } else if (c === '$') {
      const [value, length] = expand(i);
      word += value;
      inWord = true;
      i += length;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) tokens.push({ word });
  return tokens;
}

export interface RawListItem {
  /** The commands of a pipeline, as written; expanded only when each runs ($? changes). */
  pipeline: string[];
  then: ';' | '&&' | '||';
}

export type SplitResult = { ok: true; list: RawListItem[] } | { ok: false; error: string };

/** Splits a line at unquoted | ; && || into pipelines of raw commands. */
export function splitLine(line: string): SplitResult {
  const list: RawListItem[] = [];
  let pipeline: string[] = [];
  let current = '';
  let quote: string | undefined;
  const push = (op: string): string | undefined => {
    if (current.trim() === '') return `syntax error near unexpected token \`${op}'`;
    pipeline.push(current);
    current = '';
    return undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      current += c;
      if (c === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      current += c;
    } else if (c === '\\' && i + 1 < line.length) {
      current += c + line[++i];
    } else if (c === '#' && (current === '' || /\s$/.test(current))) {
      break;
    } else if (c === '&' && (line[i - 1] === '>' || line[i + 1] === '>')) {
      // Part of a redirection: 2>&1, &>/dev/null.
      current += c;
    } else if (c === '|' || c === ';' || c === '&') {
      const two = line.slice(i, i + 2);
      const op = two === '&&' || two === '||' ? two : c;
      if (op === '&') return { ok: false, error: 'background jobs (&) are not supported here' };
      const error = push(op);
      if (error) return { ok: false, error };
      if (op !== '|') {
        list.push({ pipeline, then: op as ';' | '&&' | '||' });
        pipeline = [];
      }
      if (op.length === 2) i++;
    } else current += c;
  }
  if (quote) return { ok: false, error: `unexpected EOF while looking for matching \`${quote}'` };
  if (current.trim() !== '') pipeline.push(current);
  else if (pipeline.length > 0) return { ok: false, error: 'syntax error: unexpected end of file' };
  if (pipeline.length > 0) list.push({ pipeline, then: ';' });
  return { ok: true, list };
}

/** Expands one command against the environment as it is when the command runs. */
export function expandCommand(raw: string, env: Record<string, string>): { ok: true; command: SimpleCommand & { assignments: Record<string, string> } } | { ok: false; error: string } {
  const tokens = tokenize(raw, env);
  if (typeof tokens === 'string') return { ok: false, error: tokens };
  const command: SimpleCommand & { assignments: Record<string, string> } = { argv: [], discardStdout: false, discardStderr: false, stderrToStdout: false, assignments: {} };
  for (let i = 0; i < tokens.length; i++) {
    const w = tokens[i]!.word;
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w);
    if (assignment && command.argv.length === 0) command.assignments[assignment[1]!] = assignment[2]!;
    else if (w === '>/dev/null' || w === '1>/dev/null') command.discardStdout = true;
    else if (w === '2>/dev/null') command.discardStderr = true;
    else if (w === '2>&1') command.stderrToStdout = true;
    else if (w === '&>/dev/null') command.discardStdout = command.discardStderr = true;
    else if ((w === '>' || w === '2>') && tokens[i + 1]?.word === '/dev/null') {
      if (w === '>') command.discardStdout = true;
      else command.discardStderr = true;
      i++;
    } else command.argv.push(w);
  }
  return { ok: true, command };
}
