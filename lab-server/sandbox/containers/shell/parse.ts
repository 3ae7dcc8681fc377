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

export interface ListItem {
  pipeline: SimpleCommand[];
  /** How this item joins the next: run anyway, only on success, only on failure. */
  then: ';' | '&&' | '||';
}

export type ParseResult = { ok: true; list: ListItem[] } | { ok: false; error: string };

type Token = { word: string } | { op: '|' | ';' | '&&' | '||' };

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
    } else if (c === '|' || c === ';' || c === '&') {
      if (inWord) tokens.push({ word });
      word = '';
      inWord = false;
      const two = line.slice(i, i + 2);
      if (two === '&&' || two === '||') {
        tokens.push({ op: two });
        i += 2;
      } else if (c === '&') {
        return 'background jobs (&) are not supported here';
      } else {
        tokens.push({ op: c });
        i++;
      }
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) tokens.push({ word });
  return tokens;
}

export function parseLine(line: string, env: Record<string, string>): ParseResult {
  const tokens = tokenize(line, env);
  if (typeof tokens === 'string') return { ok: false, error: tokens };
  const list: ListItem[] = [];
  let pipeline: SimpleCommand[] = [];
  let command: SimpleCommand = { argv: [], discardStdout: false, discardStderr: false, stderrToStdout: false };
  const endCommand = (op: string): string | undefined => {
    if (command.argv.length === 0) return `syntax error near unexpected token \`${op}'`;
    pipeline.push(command);
    command = { argv: [], discardStdout: false, discardStderr: false, stderrToStdout: false };
    return undefined;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if ('op' in token) {
      const error = endCommand(token.op);
      if (error) return { ok: false, error };
      if (token.op !== '|') {
        list.push({ pipeline, then: token.op });
        pipeline = [];
      }
      continue;
    }
    const w = token.word;
    if (w === '>/dev/null' || w === '1>/dev/null') command.discardStdout = true;
    else if (w === '2>/dev/null') command.discardStderr = true;
    else if (w === '2>&1') command.stderrToStdout = true;
    else if ((w === '>' || w === '2>') && tokens[i + 1] && 'word' in tokens[i + 1]! && (tokens[i + 1] as { word: string }).word === '/dev/null') {
      if (w === '>') command.discardStdout = true;
      else command.discardStderr = true;
      i++;
    } else command.argv.push(w);
  }
  if (command.argv.length > 0) pipeline.push(command);
  if (pipeline.length > 0) list.push({ pipeline, then: ';' });
  return { ok: true, list };
}
