/**
 * A JSON reader as lenient as ASP.NET's JSON configuration provider: `//` and block comments,
 * trailing commas, and content after the root value (the original appsettings.json ends with a
 * stray `}`) are accepted, the last one with a warning. Written by hand rather than on top of
 * JSON.parse because V8's syntax errors quote the surrounding text, which may hold a secret: ours
 * give a line and column only.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** Keys in file order; a repeated key keeps every occurrence (the config tree merges them). */
export interface JsonObject {
  kind: 'object';
  entries: Array<[string, JsonValue]>;
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line}, column ${column}`);
    this.name = 'JsonSyntaxError';
  }
}

export interface LenientParse {
  value: JsonValue;
  /** Human sentences (never quoting the text itself). */
  warnings: string[];
}

export function parseLenientJson(text: string): LenientParse {
  const parser = new Parser(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  parser.skipTrivia();
  if (parser.atEnd()) parser.fail('the file is empty');
  const value = parser.value();
  parser.skipTrivia();
  const warnings: string[] = [];
  if (!parser.atEnd()) {
    const { line, column } = parser.position();
    warnings.push(
      `ignored content after the end of the root object (from line ${line}, column ${column}); ASP.NET tolerated it, but it is probably a stray character`,
    );
  }
  return { value, warnings };
}

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.at >= this.text.length;
  }

  position(offset = this.at): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    return { line, column: offset - lineStart + 1 };
  }

  fail(reason: string, offset = this.at): never {
    const { line, column } = this.position(offset);
    throw new JsonSyntaxError(reason, line, column);
  }

  skipTrivia(): void {
    const text = this.text;
    while (this.at < text.length) {
      const c = text[this.at];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        this.at++;
      } else if (c === '/' && text[this.at + 1] === '/') {
        const end = text.indexOf('\n', this.at);
        this.at = end < 0 ? text.length : end + 1;
      } else if (c === '/' && text[this.at + 1] === '*') {
        const end = text.indexOf('*/', this.at + 2);
        if (end < 0) this.fail('unterminated /* comment');
        this.at = end + 2;
      } else {
        return;
      }
    }
  }

  value(): JsonValue {
    this.skipTrivia();
    const c = this.text[this.at];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    if (c === undefined) this.fail('unexpected end of file');
    this.fail(`unexpected character ${describeChar(c)}`);
  }

  private object(): JsonObject {
    this.at++; // {
    const entries: Array<[string, JsonValue]> = [];
    for (;;) {
      this.skipTrivia();
      const c = this.text[this.at];
      if (c === '}') {
        this.at++;
        return { kind: 'object', entries };
      }
      if (c !== '"') this.fail(c === undefined ? 'unexpected end of file inside an object' : `expected a "quoted" key or } but found ${describeChar(c)}`);
      const key = this.string();
      this.skipTrivia();
      if (this.text[this.at] !== ':') this.fail('expected : after the key');
      this.at++;
      entries.push([key, this.value()]);
      this.skipTrivia();
      const next = this.text[this.at];
      if (next === ',') this.at++; // a trailing comma is then closed by the } branch
      else if (next !== '}') this.fail(next === undefined ? 'unexpected end of file inside an object' : `expected , or } but found ${describeChar(next)}`);
    }
  }

  private array(): JsonValue[] {
    this.at++; // [
    const items: JsonValue[] = [];
    for (;;) {
      this.skipTrivia();
      if (this.text[this.at] === ']') {
        this.at++;
        return items;
      }
      items.push(this.value());
      this.skipTrivia();
      const next = this.text[this.at];
      if (next === ',') this.at++;
      else if (next !== ']') this.fail(next === undefined ? 'unexpected end of file inside an array' : `expected , or ] but found ${describeChar(next)}`);
    }
  }

  private string(): string {
    const start = this.at;
    this.at++; // opening quote
    let out = '';
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined || c === '\n') this.fail('unterminated string', start);
      if (c === '"') {
        this.at++;
        return out;
      }
      if (c === '\\') {
        const e = this.text[this.at + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
          this.at += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.at + 2, this.at + 6))) {
          out += String.fromCharCode(parseInt(this.text.slice(this.at + 2, this.at + 6), 16));
          this.at += 6;
        } else {
          this.fail('invalid escape sequence in a string');
        }
        continue;
      }
      if (c.charCodeAt(0) < 0x20 && c !== '\t') this.fail('control character in a string');
      out += c;
      this.at++;
    }
  }

  private number(): number {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.at, this.at + 400));
    if (!match) this.fail('invalid number');
    this.at += match[0].length;
    return Number(match[0]);
  }
}

function describeChar(c: string): string {
  // Name the character class, not the text around it (which may be a secret).
  if (/[A-Za-z0-9]/.test(c)) return 'a letter or digit (a missing quote?)';
  return `'${c}'`;
}
