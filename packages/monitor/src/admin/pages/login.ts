/** The sign-in page: an API token, exchanged for a session cookie (the token is not kept in the browser). */
import { ADMIN_PREFIX, escapeHtml } from '../layout.js';

export interface LoginPageInput {
  /** Where to go after signing in (a dashboard path). */
  next: string;
  /** The value of the sign-in form's own CSRF cookie, repeated in the form. */
  formToken: string;
  message?: string;
}

export function renderLoginPage({ next, formToken, message }: LoginPageInput): string {
  return `<div class="login">
<h1>Sign in to Vigil</h1>
<p class="muted">Paste an API token. Create one on the server with <code>vigil token create --name NAME --scope admin</code>; a <code>read</code> token can look, a <code>write</code> token can also change monitors and incidents, an <code>admin</code> token can also manage tokens.</p>
${message ? `<p class="form-error" role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="${ADMIN_PREFIX}/login">
<input type="hidden" name="_login" value="${escapeHtml(formToken)}">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<div class="field"><label for="token">API token</label><input id="token" name="token" type="password" autocomplete="current-password" required autofocus spellcheck="false"></div>
<p><button type="submit" class="primary">Sign in</button></p>
</form>
</div>`;
}
