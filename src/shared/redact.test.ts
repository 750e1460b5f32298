import { describe, expect, it } from 'vitest';
import type { AnyValue, Attributes } from './model.js';
import { compilePattern, createRedactor } from './redact.js';
import { isCardNumber } from './redact-patterns.js';

const R = '[REDACTED]';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

describe('createRedactor: text patterns', () => {
  const redactor = createRedactor();
  it.each([
    // [case, input, expected]
    ['Bearer token in a header line', `Authorization: Bearer ${JWT}`, `Authorization: Bearer ${R}`],
    ['lowercase bearer with an opaque token', 'authorization: bearer abc123def456', `authorization: bearer ${R}`],
    ['Basic credentials (base64 of user:pass)', 'Authorization: Basic dXNlcjpwYXNz', `Authorization: Basic ${R}`],
    ['a bare JWT inside text', `sent ${JWT} upstream`, `sent ${R} upstream`],
    ['user and password in a URL', 'GET https://user:pass@example.com/path', `GET https://${R}@example.com/path`],
    ['a database URL', 'connecting to postgres://app:s3cret@db:5432/logs', `connecting to postgres://${R}@db:5432/logs`],
    ['a token used as URL user', 'clone https://ghp_abc123@github.com/org/repo.git', `clone https://${R}@github.com/org/repo.git`],
    ['a token query parameter', '/api?token=abc&x=1', `/api?token=${R}&x=1`],
    ['access_token after another parameter', '/cb?code=1&access_token=xyz#frag', `/cb?code=1&access_token=${R}#frag`],
    ['a logfmt password pair', 'login failed password=hunter2 user=bob', `login failed password=${R} user=bob`],
    ['a JSON member named like a secret', '{"user":"bob","password":"hunter2"}', `{"user":"bob","password":"${R}"}`],
    ['an AWS access key id', 'key AKIAIOSFODNN7EXAMPLE used', `key ${R} used`],
    ['a Visa number in groups of four', 'card 4111 1111 1111 1111 declined', `card ${R} declined`],
    ['a card number with dashes', 'card 4111-1111-1111-1111', `card ${R}`],
    ['a contiguous Mastercard number before a full stop', 'paid with 5555555555554444.', `paid with ${R}.`],
    ['an Amex number (15 digits)', 'amex 378282246310005', `amex ${R}`],
    ['an Amex number in 4-6-5 groups', 'amex 3782 822463 10005', `amex ${R}`],
    ['a card followed by an unrelated 3-digit group', 'cards 4111 1111 1111 1111 555 total', `cards ${R} 555 total`],
  ])('redacts %s', (_case, input, expected) => {
    expect(redactor.text(input)).toBe(expected);
  });

  it.each([
    ['"Bearer" in prose', 'Bearer bonds and bearer certificates'],
    ['"Basic" in prose', 'Basic information about basic usage'],
    ['an e-mail address in a query string', 'see https://example.com/x?email=a@b.com'],
    ['a URL with a port and an @ in the path', 'Visit https://example.com:8080/path@v2'],
    ['a millisecond timestamp', 'ts=1700000000000 took 4111ms'],
    ['a nanosecond timestamp', 'time_unix_nano 1700000000000000000'],
    ['a UUID', 'id 550e8400-e29b-41d4-a716-446655440000'],
    ['a 16-digit number that fails the Luhn check', 'order 4111111111111112'],
    ['a card-like decimal', 'amount 4111111111111111.5'],
    ['a phone number', 'call +1 555 123 4567'],
    ['a trace id', 'trace 4bf92f3577b34da6a3ce929d0e0e4736'],
    ['pairs whose names only resemble secrets', 'the author=alice tokens=5 token_count=7 keyboard=us'],
    ['a word starting with ASIA', 'ASIAN markets open; ASIA region'],
    ['an empty secret parameter', '/login?password=&next=/home'],
    ['a dollar price', 'price=$5 for 2 items'],
  ])('keeps %s', (_case, input) => {
    expect(redactor.text(input)).toBe(input);
  });
});

describe('createRedactor: attribute keys', () => {
  const redactor = createRedactor();
  it.each([
    ['user.password'],
    ['db_password'],
    ['X-Api-Key'],
    ['apiKey'],
    ['authorization'],
    ['http.request.header.authorization'],
    ['cookie'],
    ['set-cookie'],
    ['secret'],
    ['client_secret'],
    ['accessToken'],
    ['refresh_token'],
    ['csrftoken'],
    ['private_key'],
    ['passwd'],
    ['pwd'],
    ['credit_card'],
    ['cardNumber'],
  ])('replaces the whole value of %s', (key) => {
    expect(redactor.attributes({ [key]: 'value-123', other: 'ok' })).toEqual({ [key]: R, other: 'ok' });
  });

  it('replaces nested objects and arrays under a secret key wholly', () => {
    const out = redactor.attributes({ secret: { a: 1, b: ['x'] }, 'set-cookie': ['a=1', 'b=2'], credit_card: 4111111111111111 });
    expect(out).toEqual({ secret: R, 'set-cookie': R, credit_card: R });
  });

  it('finds secret keys inside nested maps and arrays', () => {
    const out = redactor.attributes({ http: { headers: { Authorization: 'x', accept: 'json' } }, list: [{ token: 't' }] });
    expect(out).toEqual({ http: { headers: { Authorization: R, accept: 'json' } }, list: [{ token: R }] });
  });

  it('returns the same object when no key and no string matches (fast path)', () => {
    const attrs: Attributes = {
      author: 'alice',
      tokens: 5,
      keyboard: 'us',
      'gen_ai.token.type': 'input',
      token_type: 'Bearer',
      password_length: 8,
      'http.url': 'https://example.com/x',
      nested: { a: [1, 'two'] },
    };
    expect(redactor.attributes(attrs)).toBe(attrs);
  });

  it('keeps null and empty values under secret keys (they reveal nothing)', () => {
    const attrs: Attributes = { password: null, token: '' };
    expect(redactor.attributes(attrs)).toBe(attrs);
  });

  it('judges every record afresh when one shape repeats with changing values', () => {
    const r = createRedactor();
    const seq: Array<[Attributes, Attributes]> = [
      [{ q: '/api', token: '' }, { q: '/api', token: '' }],
      [{ q: '/api?token=abc', token: '' }, { q: `/api?token=${R}`, token: '' }],
      [{ q: '/api', token: '' }, { q: '/api', token: '' }],
      [{ q: '/api', token: 't0k3n' }, { q: '/api', token: R }],
      [{ q: '/api', token: null }, { q: '/api', token: null }],
      [{ token: 't', q: '/api' }, { token: R, q: '/api' }],
      [{ q: { nested: 'password=x' }, token: '' }, { q: { nested: `password=${R}` }, token: '' }],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [input, expected] of seq) expect(r.attributes(input)).toEqual(expected);
    }
    for (const t of ['hello', `Bearer ${JWT}`, 'hello', `Bearer ${JWT}`]) expect(r.text(t)).toBe(t === 'hello' ? t : `Bearer ${R}`);
  });

  it('never mutates its input', () => {
    const attrs = deepFreeze({ password: 'p', url: 'https://u:p@h/x', nested: { token: 't', list: ['Bearer abcdef123456'] } });
    const out = redactor.attributes(attrs as Attributes);
    expect(out).not.toBe(attrs);
    expect(out).toEqual({ password: R, url: `https://${R}@h/x`, nested: { token: R, list: [`Bearer ${R}`] } });
    expect(attrs.nested.token).toBe('t');
  });

  it('redacts structured bodies through value()', () => {
    const body: AnyValue = { msg: 'login', password: 'p', tries: [1, 2] };
    expect(redactor.value(body)).toEqual({ msg: 'login', password: R, tries: [1, 2] });
    expect(redactor.value('password=x')).toBe(`password=${R}`);
    expect(redactor.value(42)).toBe(42);
  });
});

describe('createRedactor: options', () => {
  it('adds configured keys to the defaults, also inside text', () => {
    const r = createRedactor({ keys: ['ssn'] });
    expect(r.attributes({ user_ssn: '123-45-6789', password: 'p' })).toEqual({ user_ssn: R, password: R });
    expect(r.text('lookup ssn=123-45-6789')).toBe(`lookup ssn=${R}`);
  });

  it('adds configured patterns (strings and RegExps) and uses the replacement', () => {
    const r = createRedactor({ patterns: ['\\bEMP-\\d+', /internal-[a-z]+/i], replacement: '***' });
    expect(r.text('EMP-42 on Internal-Host with token=abc')).toBe('*** on *** with token=***');
  });

  it('leaves bytes and big ints whole (they are not text), while a string with the same digits is redacted', () => {
    const r = createRedactor({ patterns: ['\\d{12,}', 'AAEC'] });
    const attrs: Attributes = { id: { $int: '9007199254740993' }, raw: { $bytes: 'AAECAwQ=' }, text: '9007199254740993', nested: [{ $int: '-9007199254740993' }] };
    expect(r.attributes(attrs)).toEqual({ ...attrs, text: R });
    expect(r.value({ $bytes: 'AAECAwQ=' })).toEqual({ $bytes: 'AAECAwQ=' });
  });

  it('does nothing without defaults, keys or patterns', () => {
    const r = createRedactor({ useDefaults: false });
    expect(r.redactsAnything).toBe(false);
    const attrs: Attributes = { password: 'p' };
    expect(r.attributes(attrs)).toBe(attrs);
    expect(r.text('Bearer abc123def456')).toBe('Bearer abc123def456');
  });

  it('without defaults applies only the configured keys', () => {
    const r = createRedactor({ useDefaults: false, keys: ['pin'] });
    expect(r.redactsAnything).toBe(true);
    expect(r.attributes({ pin: '1234', password: 'p' })).toEqual({ pin: R, password: 'p' });
    expect(r.text('pin=1234 card 4111111111111111')).toBe(`pin=${R} card 4111111111111111`);
  });

  it('rejects invalid patterns and patterns that match the empty string', () => {
    expect(() => compilePattern('(')).toThrow(/not a valid regular expression/);
    expect(() => compilePattern('a*')).toThrow(/matches the empty string/);
  });
});

describe('isCardNumber', () => {
  it('accepts Luhn-valid numbers with a card issuer prefix only', () => {
    expect(isCardNumber('4111111111111111')).toBe(true);
    expect(isCardNumber('2223003122003222')).toBe(true); // Mastercard 2-series
    expect(isCardNumber('6011111111111117')).toBe(true);
    expect(isCardNumber('1234567812345670')).toBe(false); // Luhn-valid, but no issuer starts with 1
    expect(isCardNumber('4111111111111112')).toBe(false);
    expect(isCardNumber('411111111111')).toBe(false); // 12 digits
  });
});
