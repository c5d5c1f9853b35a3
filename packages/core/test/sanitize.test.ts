import { describe, expect, it } from 'vitest';
import { REDACTED, redactUrl, sanitizeMessage, secretsInUrl } from '../src/sanitize.js';

describe('sanitizeMessage: credentials in URLs', () => {
  it.each([
    ['postgres://app:s3cret@db:5432/app failed', 'postgres://app:***@db:5432/app failed'],
    ['redis://:s3cret@cache:6379', 'redis://***@cache:6379'],
    ['amqps://user:p%40ss@mq/vhost', 'amqps://user:***@mq/vhost'],
    ['HTTP://Admin:s3cret@Host/x', 'HTTP://Admin:***@Host/x'],
    ['from mysql://a:one@h1 to mysql://b:two@h2', 'from mysql://a:***@h1 to mysql://b:***@h2'],
  ])('%s', (input, expected) => {
    expect(sanitizeMessage(input)).toBe(expected);
  });

  it('leaves URLs without credentials and ordinary errors alone', () => {
    for (const message of [
      'connect ECONNREFUSED 127.0.0.1:5432',
      'GET http://127.0.0.1:8080/health returned status 500',
      'mail admin@example.com about http://host:8080',
    ]) {
      expect(sanitizeMessage(message)).toBe(message);
    }
  });
});

describe('sanitizeMessage: key=value secrets', () => {
  it.each([
    ['password=hunter2 host=db', 'password=*** host=db'],
    ['PASSWORD: hunter2', 'PASSWORD: ***'],
    ['pwd=hunter2;user=app', 'pwd=***;user=app'],
    ["pass='two words' next", 'pass=*** next'],
    ['secret="two words" next', 'secret=*** next'],
    ['GET /x?token=abc123&page=2', 'GET /x?token=***&page=2'],
    ['api_key=abc, api-key: def, apikey=ghi', 'api_key=***, api-key: ***, apikey=***'],
    ['access_key=AKIA123', 'access_key=***'],
    ['auth=user:pw', 'auth=***'],
    // Prefixed names, as environment variables and OAuth parameters spell them.
    ['DB_PASSWORD=hunter2', 'DB_PASSWORD=***'],
    ['GET /cb?access_token=abc123&state=x', 'GET /cb?access_token=***&state=x'],
    ['client_secret: s3cr3t', 'client_secret: ***'],
    // JSON dumped into an error message.
    ['config {"user":"app","password":"hunter2"}', 'config {"user":"app","password":***}'],
    // The text around a secret stays: brackets it did not open, a final full stop.
    ['[BODY].url (/fail?api_key=s3cret) == nope', '[BODY].url (/fail?api_key=***) == nope'],
    ['refused (token=abc123]).', 'refused (token=***]).'],
    ['password=hunter2.', 'password=***.'],
    // Brackets inside the secret are part of it.
    ['password=a(b)c) next', 'password=***) next'],
    ['password=ab)cd next', 'password=*** next'],
  ])('%s', (input, expected) => {
    expect(sanitizeMessage(input)).toBe(expected);
  });

  it('does not redact words that merely contain a key', () => {
    for (const message of ['bypass=1', 'compass: north', 'passport=ok', 'tokens: 5']) {
      expect(sanitizeMessage(message)).toBe(message);
    }
  });
  it("keeps MySQL's (using password: YES/NO), which says whether one was sent, not what it was", () => {
    for (const used of ['YES', 'NO']) {
      const message = `Access denied for user 'shop'@'localhost' (using password: ${used})`;
      expect(sanitizeMessage(message)).toBe(message);
    }
    // The bracket the secret did not open is the text's, and stays.
    expect(sanitizeMessage('password: YES-really-secret)')).toBe('password: ***)');
    expect(sanitizeMessage('password: YES)', ['YES'])).toBe('password: ***)');
  });
});

describe('sanitizeMessage: bearer tokens', () => {
  it.each([
    ['Authorization: Bearer eyJhbGciOi.J9.abc-_', 'Authorization: Bearer ***'],
    ['bearer abc/def+ghi== rejected', 'bearer *** rejected'],
  ])('%s', (input, expected) => {
    expect(sanitizeMessage(input)).toBe(expected);
  });

  it('leaves a URL path or a sentence that merely contains the word alone', () => {
    for (const message of [
      'GET http://127.0.0.1:8080/auth/basic failed: connect ECONNREFUSED 127.0.0.1:8080',
      'GET https://api.example.test/bearer/check returned status 500',
      'the bearer token was rejected',
    ]) {
      expect(sanitizeMessage(message)).toBe(message);
    }
  });
});

describe('sanitizeMessage: literal secrets', () => {
  it('redacts every occurrence of a known secret, wherever it appears', () => {
    expect(sanitizeMessage('user app with hunter2 denied (hunter2)', ['hunter2'])).toBe(
      `user app with ${REDACTED} denied (${REDACTED})`,
    );
  });

  it('redacts a secret that no pattern would recognise', () => {
    expect(sanitizeMessage('FATAL: role "app" rejected xK9#q', ['xK9#q'])).toBe('FATAL: role "app" rejected ***');
  });

  it('ignores missing and very short secrets instead of mangling ordinary words', () => {
    expect(sanitizeMessage('a db error', [undefined, '', 'db'])).toBe('a db error');
  });
});

describe('sanitizeMessage: credentials without a password', () => {
  it('redacts a lone token used as the URL user', () => {
    const out = sanitizeMessage('clone failed: https://ghp_abc123secret@github.com/org/repo.git');
    expect(out).toBe('clone failed: https://***@github.com/org/repo.git');
  });

  it('redacts basic credentials in a header dump', () => {
    expect(sanitizeMessage('Authorization: Basic dXNlcjpwYXNz')).not.toContain('dXNlcjpwYXNz');
  });
});

describe('secretsInUrl', () => {
  it('returns the password as written and decoded', () => {
    expect(secretsInUrl('postgres://app:p%40ss@db/app')).toEqual(['p%40ss', 'p@ss']);
  });

  it.each([undefined, '', 'postgres://app@db/app', 'postgres://db/app', 'not a url'])(
    'returns nothing for %j',
    (url) => {
      expect(secretsInUrl(url)).toEqual([]);
    },
  );
});

describe('redactUrl', () => {
  it('replaces the password and keeps what helps debugging', () => {
    expect(redactUrl('https://user:s3cret@api.example.com:8443/v1/health?x=1')).toBe(
      'https://user:***@api.example.com:8443/v1/health?x=1',
    );
  });

  it('leaves a URL without a password as it is (normalised)', () => {
    expect(redactUrl('http://example.com')).toBe('http://example.com/');
  });

  it('still redacts what it can when the URL does not parse', () => {
    const shown = redactUrl('postgres://app:s3cret@[bad-host/app');
    expect(shown).not.toContain('s3cret');
  });
});
