/**
 * Removes secrets from text that reaches users, logs or responses: credentials inside URLs, `password=…`
 * style pairs, bearer and basic credentials, and any literal secret the caller knows about.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*)(:[^\s/@]*)?@/gi;
// Not `\b`: `_` is a word character, so `DB_PASSWORD=`, `access_token=` and `client_secret=` would slip through.
// The optional quote after the key covers JSON (`"password":"…"`).
const KEY_VALUE_SECRET =
  /(?<![A-Za-z0-9])(password|passwd|pwd|pass|secret|token|api[_-]?key|access[_-]?key|auth)(["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,'"]+)/gi;
// A credential is a token of 8 characters or more, after the word itself (not a URL path or host segment such
// as `/auth/basic`): `…/auth/basic failed: …` and "the bearer token" stay readable.
const BEARER = /(?<![/.\w])(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

export const REDACTED = '***';

const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{', '>': '<' };

/**
 * What ends an unquoted secret but belongs to the text around it: closing brackets the secret did not open
 * (`(…?api_key=abc)` keeps its `)`) and a final full stop. Kept outside the mask, so the text still reads.
 */
function trailingPunctuation(value: string): string {
  if (value.startsWith('"') || value.startsWith("'")) return '';
  let end = value.length;
  for (;;) {
    const last = value[end - 1];
    if (last === undefined || end <= 1) break;
    const opener = CLOSERS[last];
    const kept = value.slice(0, end);
    const count = (char: string) => kept.split(char).length - 1;
    // A closer is the text's when the secret holds more of it than of its opener.
    if (last === '.' || (opener !== undefined && count(last) > count(opener))) end--;
    else break;
  }
  return value.slice(end);
}

const MYSQL_PASSWORD_USED = /^(YES|NO)\)$/;

export function sanitizeMessage(message: string, secrets: Iterable<string | undefined> = []): string {
  let out = message;
  for (const secret of secrets) {
    // Very short secrets would redact ordinary words; they are still caught by the patterns below.
    if (secret && secret.length >= 3) out = out.split(secret).join(REDACTED);
  }
  out = out.replace(
    URL_CREDENTIALS,
    // `user:password@` keeps the user (it helps debugging); a lone `token@` is itself the secret.
    (_m, scheme: string, user: string, password: string | undefined) =>
      `${scheme}${user && password !== undefined ? `${user}:` : ''}${REDACTED}@`,
  );
  out = out.replace(KEY_VALUE_SECRET, (match: string, key: string, sep: string, value: string) =>
    // MySQL's "Access denied … (using password: YES)" says whether a password was sent, not what it was.
    MYSQL_PASSWORD_USED.test(value) ? match : `${key}${sep}${REDACTED}${trailingPunctuation(value)}`,
  );
  out = out.replace(BEARER, (_m, word: string) => `${word} ${REDACTED}`);
  return out;
}

/** Secrets found in a connection URL (password, and the decoded form of it). */
export function secretsInUrl(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const parsed = new URL(url);
    if (!parsed.password) return [];
    return [parsed.password, decodeURIComponent(parsed.password)];
  } catch {
    return [];
  }
}

/** A URL safe to show: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = REDACTED;
    return parsed.toString();
  } catch {
    return sanitizeMessage(url);
  }
}
