/** API tokens: list, create (the secret shown once, by the script, from the API's answer) and revoke. */
import { API_PREFIX } from '../../api/context.js';
import type { StoredToken } from '../../store/store.js';
import { actionButton, ADMIN_PREFIX, emptyRow, escapeHtml, timeTag } from '../layout.js';

export function renderTokensPage(tokens: readonly StoredToken[], currentId: string): string {
  const rows = tokens.length
    ? tokens
        .map(
          (token) =>
            `<tr data-id="${escapeHtml(token.id)}"><td><code>${escapeHtml(token.id)}</code></td><td>${escapeHtml(token.name)}${token.id === currentId ? ' <span class="muted">(this session)</span>' : ''}</td><td>${token.scope}</td><td>${timeTag(token.createdAt)}</td><td>${timeTag(token.lastUsedAt, 'never')}</td><td>${actionButton('Revoke', 'DELETE', `${API_PREFIX}/tokens/${encodeURIComponent(token.id)}`, {
              kind: 'danger',
              confirm: `Revoke the token "${token.name}"? Whatever uses it stops working${token.id === currentId ? ', and this session ends' : ''}.`,
              after: token.id === currentId ? `go:${ADMIN_PREFIX}/login` : 'reload',
            })}</td></tr>`,
        )
        .join('')
    : emptyRow(6, 'No tokens.');
  return `<h1>API tokens</h1>
<p class="muted">Only a hash of each token is stored: a new token is shown once, here, right after it is created.</p>
<div class="table-wrap"><table><thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Scope</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"></th></tr></thead><tbody>${rows}</tbody></table></div>
<h2>New token</h2>
<form class="api-form" data-method="POST" data-url="${API_PREFIX}/tokens" data-after="show-token" novalidate>
<div class="form-error" role="alert" hidden></div>
<div class="field" data-field="name"><label for="token-name">Name</label><input id="token-name" name="name" data-kind="text" required maxlength="100"><p class="field-error"></p></div>
<div class="field" data-field="scope"><label for="token-scope">Scope</label><select id="token-scope" name="scope" data-kind="choice"><option>read</option><option>write</option><option>admin</option><option value="agent">agent (vigil agent only)</option></select><p class="field-error"></p></div>
<p><button type="submit" class="primary">Create token</button></p>
</form>
<div id="new-token" class="new-token" hidden><p><strong>Copy this token now: it is not shown again.</strong></p><p><code id="new-token-value"></code></p></div>`;
}
