/**
 * `${ENV}` substitution in configuration values: `${VAR}`, `${VAR:-default}` (default when unset or empty),
 * and `$${` for a literal `${`. Applied to scalar values after the YAML is parsed, so a value from the
 * environment can never add structure to the document.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface SubstitutionProblem {
  /** Index in the input string of the `${…}` expression. */
  index: number;
  /** The expression as written, e.g. `${DB_URL}`. */
  expression: string;
  message: string;
}

export interface Substitution {
  value: string;
  /** Names of the variables used (set or defaulted). */
  variables: string[];
  problems: SubstitutionProblem[];
}

const TOKEN = /\$\$\{|\$\{([^}]*)(\})?/g;
const EXPRESSION = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

export function substituteEnv(input: string, env: Env): Substitution {
  const variables: string[] = [];
  const problems: SubstitutionProblem[] = [];
  if (!input.includes('${')) return { value: input, variables, problems };
  const value = input.replace(
    TOKEN,
    (token: string, inner: string | undefined, close: string | undefined, index: number) => {
      if (token === '$${') return '${';
      if (close === undefined) {
        problems.push({
          index,
          expression: token,
          message: 'unterminated "${": close it with "}" (write "$${" for a literal "${")',
        });
        return token;
      }
      const match = EXPRESSION.exec(inner ?? '');
      if (!match) {
        problems.push({
          index,
          expression: token,
          message: `invalid substitution "${token}": expected \${NAME} or \${NAME:-default} (write "$\${" for a literal "\${")`,
        });
        return token;
      }
      const [, name = '', fallback] = match;
      variables.push(name);
      const set = env[name];
      if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
      if (set === undefined) {
        problems.push({
          index,
          expression: token,
          message: `environment variable ${name} is not set (set it, or give a default: \${${name}:-value})`,
        });
        return '';
      }
      return set;
    },
  );
  return { value, variables, problems };
}

/**
 * A plain (unquoted) scalar whose text came from a substitution is typed as if it had been written there:
 * `port: ${PORT}` gives a number. Only numbers and booleans are recognised; anything else stays a string.
 * Quote the value (`"${PORT}"`) to keep it a string.
 */
export function typePlainScalar(value: string): string | number | boolean {
  if (/^[-+]?\d+$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  if (/^[-+]?(\.\d+|\d+(\.\d*)?)([eE][-+]?\d+)?$/.test(value)) return Number(value);
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  return value;
}
