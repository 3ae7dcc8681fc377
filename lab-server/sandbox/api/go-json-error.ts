/**
 * Why a text is not JSON, in the words of Go's encoding/json, which is what a
 * client of the real API server reads ("invalid character 'x' looking for
 * beginning of value"). A small scanner finds the first bad character and
 * what it expected there.
 */
export function goJsonError(text: string): string {
  let i = 0;
  const quote = (c: string) => (c === '\n' ? "'\\n'" : c === '\t' ? "'\\t'" : c === '\r' ? "'\\r'" : `'${c}'`);
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  class Bad extends Error {}
  const fail = (context: string): never => {
    if (i >= text.length) throw new Bad('unexpected end of JSON input');
    throw new Bad(`invalid character ${quote(text[i]!)} ${context}`);
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail(`in literal ${word} (expecting ${quote(ch)})`);
      i++;
    }
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail('');
      const c = text[i]!;
      if (c === '"') return void i++;
      if (c < ' ') fail('in string literal');
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail('in \\u hexadecimal character escape');
          continue;
        }
        if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('in string escape code');
      }
      i++;
    }
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (/[1-9]/.test(text[i] ?? '')) while (/[0-9]/.test(text[i] ?? '')) i++;
    else fail('in numeric literal');
    if (text[i] === '.') {
      i++;
      if (!/[0-9]/.test(text[i] ?? '')) fail('after decimal point in numeric literal');
      while (/[0-9]/.test(text[i] ?? '')) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!/[0-9]/.test(text[i] ?? '')) fail('in exponent of numeric literal');
      while (/[0-9]/.test(text[i] ?? '')) i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail('looking for beginning of object key string');
        string();
        ws();
        if (text[i] !== ':') fail('after object key');
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') return void i++;
        fail('after object key:value pair');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') return void i++;
        fail('after array element');
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || /[0-9]/.test(c ?? '')) return number();
    fail('looking for beginning of value');
  };
  try {
    value();
    ws();
    if (i < text.length) fail('after top-level value');
    return 'unexpected end of JSON input';
  } catch (error) {
    if (error instanceof Bad) return error.message;
    throw error;
  }
}
