/**
 * The string form of a label selector, as the API server parses a
 * labelSelector query parameter and `kubectl -l` sends it:
 *
 *   selector    := requirement ("," requirement)*
 *   requirement := ["!"] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
 *
 * A malformed selector (an unbalanced "(", an operator with no value, a key
 * that is not a qualified name) is refused with the words apimachinery's
 * parser uses, so that a learner sees what kubectl shows against a real cluster.
 */
import type { LabelSelector, LabelSelectorRequirement, SelectorParse } from './label-selector.ts';

type Token = { kind: 'identifier' | 'end' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<'; text: string };

const SPECIAL = new Set(['(', ')', ',', '!', '=', '<', '>']);
const SPACE = /[ \t\r\n]/;
/** How the parser names the operators it expected (selection.Operator values). */
const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '!=' || two === '==') {
      tokens.push({ kind: two, text: two });
      i += 2;
    } else if (SPECIAL.has(c)) {
      tokens.push({ kind: c as Token['kind'], text: c });
      i++;
    } else {
      let j = i;
      while (j < text.length && !SPECIAL.has(text[j]!) && !SPACE.test(text[j]!)) j++;
      tokens.push({ kind: 'identifier', text: text.slice(i, j) });
      i = j;
    }
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

class SelectorError extends Error {}

export function parseSelectorString(text: string): SelectorParse {
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at]!;
  const next = () => tokens[Math.min(at++, tokens.length - 1)]!;
  const fail = (message: string): never => {
    throw new SelectorError(message);
  };

  const requirement = (): LabelSelectorRequirement | { key: string; equals: string } => {
    let token = next();
    const negated = token.kind === '!';
    if (negated) token = next();
    if (token.kind !== 'identifier') fail(`found '${token.text}', expected: identifier`);
    const key = token.text;
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) fail(`<nil>: Invalid value: "${key}": ${keyProblem}`);
    if (peek().kind === 'end' || peek().kind === ',') return { key, operator: negated ? 'DoesNotExist' : 'Exists' };
    const op = next();
    const operator = op.kind === 'identifier' && op.text === 'in' ? 'in' : op.kind === 'identifier' && op.text === 'notin' ? 'notin' : op.kind;
    if (!['in', 'notin', '=', '==', '!=', '>', '<'].includes(operator)) fail(`found '${op.text}', expected: ${BINARY_OPERATORS}`);
    if (operator === 'in' || operator === 'notin') {
      const values = valueSet();
      if (values.length === 0) fail(`[${key}]: Invalid value: []: for 'in', 'notin' operators, values set can't be empty`);
      return { key, operator: operator === 'in' ? 'In' : 'NotIn', values };
    }
    const value = exactValue();
    if (operator === '>' || operator === '<') {
      if (!/^-?\d+$/.test(value)) fail(`[${key}]: Invalid value: "${value}": for 'Gt', 'Lt' operators, the value must be an integer`);
      return { key, operator: operator === '>' ? 'Gt' : 'Lt', values: [value] };
    }
    return operator === '!=' ? { key, operator: 'NotIn', values: [value] } : { key, equals: value };
  };

  const valueSet = (): string[] => {
    const open = next();
    if (open.kind !== '(') fail(`found '${open.text}' expected: '('`);
    const first = peek();
    if (first.kind === ')') {
      next();
      return [''];
    }
    if (first.kind !== 'identifier' && first.kind !== ',') fail(`found '${first.text}', expected: ',', ')' or identifier`);
    const values = new Set<string>();
    for (;;) {
      const token = next();
      if (token.kind === 'identifier') {
        values.add(checkedValue(token.text));
        const after = peek();
        if (after.kind === ',') {
          next();
          if (peek().kind !== ')') continue;
          values.add('');
          break;
        }
        if (after.kind === ')') break;
        fail(`found '${after.text}', expected: ',' or ')'`);
      } else if (token.kind === ',') {
        // "(," and ",," and ",)" stand for empty values.
        values.add('');
        if (peek().kind === ')') break;
      } else fail(`found '${token.text}', expected: ',', or identifier`);
    }
    next();
    return [...values].sort();
  };

  const exactValue = (): string => {
    const token = peek();
    if (token.kind === 'end' || token.kind === ',') return '';
    next();
    if (token.kind !== 'identifier') fail(`found '${token.text}', expected: identifier`);
    return checkedValue(token.text);
  };

  const checkedValue = (value: string): string => {
    if (value.length > 63) fail(`Invalid value: "${value}": must be no more than 63 characters`);
    if (value !== '' && !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value))
      fail(`Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`);
    return value;
  };

  const selector: Required<LabelSelector> = { matchLabels: {}, matchExpressions: [] };
  try {
    for (;;) {
      const token = peek();
      if (token.kind === 'end') break;
      if (token.kind !== 'identifier' && token.kind !== '!') fail(`found '${token.text}', expected: !, identifier, or 'end of string'`);
      let parsed;
      try {
        parsed = requirement();
      } catch (error) {
        if (error instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${error.message}`);
        throw error;
      }
      if ('equals' in parsed) selector.matchLabels[parsed.key] = parsed.equals;
      else selector.matchExpressions.push(parsed);
      const after = next();
      if (after.kind === 'end') break;
      if (after.kind !== ',') fail(`found '${after.text}', expected: ',' or 'end of string'`);
      const following = peek();
      if (following.kind !== 'identifier' && following.kind !== '!') fail(`found '${following.text}', expected: identifier after ','`);
    }
  } catch (error) {
    if (error instanceof SelectorError) return { ok: false, error: error.message };
    throw error;
  }
  return { ok: true, selector };
}

/** Why `key` is not a qualified name ([prefix/]name), in validation.IsQualifiedName's words, or undefined. */
function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  const name = parts.at(-1)!;
  const prefix = parts.length === 2 ? parts[0]! : undefined;
  if (prefix !== undefined) {
    if (prefix.length === 0) return 'prefix part must be non-empty';
    if (prefix.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix))
      return "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  }
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  if (!/^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name))
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  return undefined;
}
